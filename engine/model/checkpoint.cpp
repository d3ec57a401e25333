// Checkpoint .npz files: the parameter list is the schema, so what is missing, extra or misshaped
// is found by one loop over it; the JSON is read field by field with ranges checked.
#include "engine/model/checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/file_limits.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/train/trainer.hpp"  // training_memory: a checkpoint's train settings must fit
#include "engine/weights.hpp"

namespace attn {

namespace {

using Json = nlohmann::json;

std::string shape_str(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Json meta_of(const Checkpoint& c) {
  const Arch& a = c.model.arch;
  const TrainSettings& t = c.train;
  // Version 2 adds GPT-2's switches (MLP width, GELU, tied embeddings, LayerNorm epsilon); a
  // model that uses none of them is still written as version 1, which every attnlab reads.
  const bool v2 = a.mlp_dim() != 4 * a.d_model || a.gelu != Gelu::Exact || a.tied_embeddings || a.ln_eps != 1e-5;
  Json meta{{"format", "attnlab-model"},
            {"version", v2 ? 2 : 1},
            {"arch",
             {{"n_layers", a.n_layers},
              {"d_model", a.d_model},
              {"n_heads", a.n_heads},
              {"d_head", a.d_head},
              {"mlp", a.mlp},
              {"vocab_size", a.vocab_size},
              {"max_seq_len", a.max_seq_len}}},
            {"run",
             {{"causal", c.model.run.causal},
              {"positional", std::string(to_string(c.model.run.positional))},
              {"temperature", c.model.run.temperature}}},
            {"task", c.task},
            {"vocab", c.vocab},
            {"train",
             {{"lr", t.lr},
              {"batch", t.batch},
              {"seq_len", t.seq_len},
              {"steps", t.steps},
              {"seed", t.seed},
              {"weight_decay", t.weight_decay},
              {"beta1", t.beta1},
              {"beta2", t.beta2},
              {"eps", t.eps},
              {"grad_clip", t.grad_clip},
              {"warmup_steps", t.warmup_steps}}},
            {"step", c.step}};
  if (v2) {
    meta["arch"]["d_mlp"] = a.mlp_dim();
    meta["arch"]["gelu"] = to_string(a.gelu);
    meta["arch"]["tied_embeddings"] = a.tied_embeddings;
    meta["arch"]["ln_eps"] = a.ln_eps;
  }
  if (c.tokenizer) meta["tokenizer"] = Json::parse(c.tokenizer->to_json());
  return meta;
}

// Field readers that name the key and the range in their message.
struct MetaReader {
  const std::string& path;
  [[noreturn]] void fail(const std::string& why) const { throw FileError(path + ": " + why); }
  const Json& at(const Json& j, const char* key, const char* where) const {
    if (!j.is_object() || !j.contains(key)) fail(std::string("attnlab.json has no '") + where + key + "'");
    return j.at(key);
  }
  long long integer(const Json& j, const char* key, const char* where, long long lo, long long hi) const {
    const Json& v = at(j, key, where);
    if (!v.is_number_integer() && !v.is_number_unsigned())
      fail(std::string("'") + where + key + "' must be a whole number");
    const long long x =
        v.is_number_unsigned() && v.get<unsigned long long>() > 9223372036854775807ull ? hi + 1 : v.get<long long>();
    if (x < lo || x > hi)
      fail(std::string("'") + where + key + "' (" + v.dump() + ") must be between " + std::to_string(lo) + " and " +
           std::to_string(hi));
    return x;
  }
  float real(const Json& j, const char* key, const char* where) const {
    const Json& v = at(j, key, where);
    if (!v.is_number()) fail(std::string("'") + where + key + "' must be a number");
    const double x = v.get<double>();
    if (!std::isfinite(x) || std::fabs(x) > 1e30)
      fail(std::string("'") + where + key + "' (" + v.dump() + ") is out of range");
    return static_cast<float>(x);
  }
  bool boolean(const Json& j, const char* key, const char* where) const {
    const Json& v = at(j, key, where);
    if (!v.is_boolean()) fail(std::string("'") + where + key + "' must be true or false");
    return v.get<bool>();
  }
  std::string string(const Json& j, const char* key, const char* where) const {
    const Json& v = at(j, key, where);
    if (!v.is_string()) fail(std::string("'") + where + key + "' must be a string");
    return v.get<std::string>();
  }
};

}  // namespace

std::string checkpoint_meta_json(const Checkpoint& c) { return meta_of(c).dump(1); }

void save_checkpoint(const Checkpoint& c, const std::string& path) {
  if (c.tokenizer && !c.tokenizer->is_trained_format())
    throw FileError(path +
                    ": a checkpoint carries only a BPE trained by attnlab; a model read with GPT-2's "
                    "tokenizer is saved as a Hugging Face folder (--save DIR/)");
  std::map<std::string, std::string> entries;
  for (const ParamTensor& t : c.model.layout.tensors)
    entries[t.name] = npy_encode(c.model.params.data() + t.offset, t.shape);
  entries[kCheckpointMetaKey] = npy_encode_u8(checkpoint_meta_json(c));
  write_file_atomic(path, npz_write(entries));
}

Checkpoint load_checkpoint(const std::string& path) { return checkpoint_from_npz_bytes(read_file(path), path); }

Checkpoint checkpoint_from_npz_bytes(const std::string& archive, const std::string& path) {
  const std::map<std::string, std::string> entries = npz_read(archive, path);
  const MetaReader r{path};
  const auto meta_entry = entries.find(kCheckpointMetaKey);
  if (meta_entry == entries.end()) {
    if (entries.count("in_proj_weight"))
      r.fail("this is an attention weights file (use --weights), not a model checkpoint");
    r.fail("not an attnlab model checkpoint: it has no attnlab.json");
  }
  Json meta;
  try {
    meta = Json::parse(npy_decode_u8(meta_entry->second, path + ": attnlab.json"));
  } catch (const Json::exception& e) {
    r.fail(std::string("attnlab.json is not valid JSON (") + e.what() + ")");
  }
  if (r.string(meta, "format", "") != "attnlab-model") r.fail("attnlab.json is not an attnlab-model");
  const long long version = r.integer(meta, "version", "", 1, 1000000);
  if (version > 2) r.fail("checkpoint version " + std::to_string(version) + " is newer than this attnlab (2)");

  Checkpoint c;
  const Json& arch = r.at(meta, "arch", "");
  const Json& run = r.at(meta, "run", "");
  Arch a;
  a.n_layers = static_cast<int>(r.integer(arch, "n_layers", "arch.", 1, kMaxLayers));
  a.d_model = static_cast<int>(r.integer(arch, "d_model", "arch.", kMinTrainDModel, kMaxTrainDModel));
  a.n_heads = static_cast<int>(r.integer(arch, "n_heads", "arch.", 1, kMaxTrainHeads));
  a.d_head = static_cast<int>(r.integer(arch, "d_head", "arch.", 1, kMaxTrainDHead));
  a.mlp = r.boolean(arch, "mlp", "arch.");
  a.vocab_size = static_cast<int>(r.integer(arch, "vocab_size", "arch.", 2, kMaxVocab));
  a.max_seq_len = static_cast<int>(r.integer(arch, "max_seq_len", "arch.", 1, kMaxSeqLen));
  if (version >= 2) {
    a.d_mlp = static_cast<int>(r.integer(arch, "d_mlp", "arch.", 1, 4 * kMaxTrainDModel));
    const std::string gelu = r.string(arch, "gelu", "arch.");
    if (gelu != "exact" && gelu != "tanh") r.fail("'arch.gelu' (" + gelu + ") must be exact or tanh");
    a.gelu = gelu == "tanh" ? Gelu::Tanh : Gelu::Exact;
    a.tied_embeddings = r.boolean(arch, "tied_embeddings", "arch.");
    const Json& eps = r.at(arch, "ln_eps", "arch.");  // a double: 1e-5 must read back as exactly 1e-5
    if (!eps.is_number()) r.fail("'arch.ln_eps' must be a number");
    a.ln_eps = eps.get<double>();
  }
  RunOptions o;
  o.causal = r.boolean(run, "causal", "run.");
  const std::string positional = r.string(run, "positional", "run.");
  const std::optional<Positional> pos = parse_positional(positional);
  if (!pos) r.fail("'run.positional' (" + positional + ") must be none, sinusoidal, learned or rope");
  o.positional = *pos;
  o.temperature = r.real(run, "temperature", "run.");
  a.learned_positions = o.positional == Positional::Learned;
  try {
    validate(a, o);
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }

  c.task = r.string(meta, "task", "");
  const Json& vocab = r.at(meta, "vocab", "");
  if (!vocab.is_array()) r.fail("'vocab' must be a list of strings");
  std::set<std::string> seen;
  for (const Json& word : vocab) {
    if (!word.is_string()) r.fail("'vocab' must be a list of strings");
    if (!seen.insert(word.get<std::string>()).second) r.fail("'vocab' lists '" + word.get<std::string>() + "' twice");
    c.vocab.push_back(word.get<std::string>());
  }
  if (static_cast<int>(c.vocab.size()) != a.vocab_size)
    r.fail("the vocabulary has " + std::to_string(c.vocab.size()) + " words but the model has vocab_size " +
           std::to_string(a.vocab_size));

  const Json& train = r.at(meta, "train", "");
  TrainSettings& t = c.train;
  t.lr = r.real(train, "lr", "train.");
  t.batch = static_cast<int>(r.integer(train, "batch", "train.", 1, 1024));
  t.seq_len = static_cast<int>(r.integer(train, "seq_len", "train.", 2, kMaxSeqLen));
  t.steps = static_cast<int>(r.integer(train, "steps", "train.", 1, 10000000));
  t.seed = static_cast<std::uint64_t>(r.integer(train, "seed", "train.", 0, 9007199254740992ll));
  t.weight_decay = r.real(train, "weight_decay", "train.");
  t.beta1 = r.real(train, "beta1", "train.");
  t.beta2 = r.real(train, "beta2", "train.");
  t.eps = r.real(train, "eps", "train.");
  t.grad_clip = r.real(train, "grad_clip", "train.");
  t.warmup_steps = static_cast<int>(r.integer(train, "warmup_steps", "train.", 0, 1000000));
  try {
    validate(t);
  } catch (const std::invalid_argument& e) {
    r.fail(std::string("train: ") + e.what());
  }
  {
    // The window trains a checkpoint with its own batch and sequence length (Trainer(checkpoint)
    // caps seq_len at max_seq_len): settings no machine here should be asked for are refused now,
    // before anything is trained.
    TrainSettings trained = t;
    trained.seq_len = std::min(t.seq_len, a.max_seq_len);
    const std::uint64_t need = training_memory(a, o, trained).total();
    if (need > kMaxTrainingBytes)
      r.fail("'train.batch' (" + std::to_string(t.batch) + ") x 'train.seq_len' (" + std::to_string(trained.seq_len) +
             ") would need " + bytes_text(need) + " to train this model, more than the limit of " +
             bytes_text(kMaxTrainingBytes));
  }
  c.step = r.integer(meta, "step", "", 0, 1000000000000ll);
  if (meta.contains("tokenizer")) {
    c.tokenizer = Bpe::from_json(meta["tokenizer"].dump(), path + ": attnlab.json's tokenizer");
    if (c.tokenizer->vocab_size() != static_cast<std::size_t>(a.vocab_size))
      r.fail("the tokenizer has " + std::to_string(c.tokenizer->vocab_size()) +
             " tokens but the model has vocab_size " + std::to_string(a.vocab_size));
  }

  // The parameter list is the schema: every tensor it names must be there with its shape and
  // finite values, and nothing else may be.
  c.model.arch = a;
  c.model.run = o;
  c.model.layout = ParamLayout::of(a);
  c.model.params.assign(c.model.layout.total, 0.0f);
  c.model.knocked_out.assign(static_cast<std::size_t>(a.n_layers * a.n_heads), 0);
  for (const ParamTensor& pt : c.model.layout.tensors) {
    const auto it = entries.find(pt.name);
    if (it == entries.end()) r.fail("missing tensor '" + pt.name + "' " + shape_str(pt.shape));
    const NpyArray arr = npy_decode(it->second, path + ": " + pt.name);
    if (arr.shape != pt.shape)
      r.fail("tensor '" + pt.name + "' is " + shape_str(arr.shape) + " but the model needs " + shape_str(pt.shape));
    for (float v : arr.data)
      if (!std::isfinite(v)) r.fail("tensor '" + pt.name + "' holds a non-finite value (NaN or infinity)");
    std::copy(arr.data.begin(), arr.data.end(), c.model.params.begin() + static_cast<std::ptrdiff_t>(pt.offset));
  }
  for (const auto& [name, bytes] : entries)
    if (name != kCheckpointMetaKey && !c.model.layout.find(name))
      r.fail("unexpected tensor '" + name + "' for a model of this configuration");
  return c;
}

}  // namespace attn
