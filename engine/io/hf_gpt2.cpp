// Hugging Face GPT-2 folders: config.json -> Arch, then one table of (Hugging Face name, our name,
// transposed?) checked against the tensors the files hold.
#include "engine/io/hf_gpt2.hpp"

#include <sys/stat.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/io/safetensors.hpp"
#include "engine/text/utf8.hpp"

namespace attn {

namespace {

using Json = nlohmann::json;

constexpr std::uint64_t kMaxConfigBytes = 1024 * 1024;          // GPT-2's is 665 bytes
constexpr std::uint64_t kMaxVocabJsonBytes = 64 * 1024 * 1024;  // GPT-2's is 1.0 MB
constexpr std::uint64_t kMaxIndexBytes = 64 * 1024 * 1024;

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// config.json's keys, each named with its file in the message.
struct ConfigReader {
  const Json& j;
  const std::string& what;
  [[noreturn]] void fail(const std::string& why) const { throw FileError(what + ": " + why); }
  long long integer(const char* key, long long lo, long long hi) const {
    if (!j.contains(key)) fail(std::string("'") + key + "' is missing");
    const Json& v = j.at(key);
    if (!v.is_number_integer()) fail(std::string("'") + key + "' (" + v.dump() + ") must be a whole number");
    const long long x = v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(hi)
                            ? hi + 1
                            : v.get<long long>();
    if (x < lo || x > hi)
      fail(std::string("'") + key + "' (" + v.dump() + ") must be between " + std::to_string(lo) + " and " +
           std::to_string(hi));
    return x;
  }
  bool flag(const char* key, bool fallback) const {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    if (!j.at(key).is_boolean()) fail(std::string("'") + key + "' (" + j.at(key).dump() + ") must be true or false");
    return j.at(key).get<bool>();
  }
};

struct Source {
  const SafetensorsFile* file;
  const SafeTensorInfo* info;
};

// Transposes src (rows, cols) into dst (cols, rows) in tiles, so both sides stay in cache.
void transpose(const float* src, float* dst, std::size_t rows, std::size_t cols) {
  constexpr std::size_t kTile = 32;
  for (std::size_t r0 = 0; r0 < rows; r0 += kTile)
    for (std::size_t c0 = 0; c0 < cols; c0 += kTile)
      for (std::size_t r = r0; r < std::min(rows, r0 + kTile); ++r)
        for (std::size_t c = c0; c < std::min(cols, c0 + kTile); ++c) dst[c * rows + r] = src[r * cols + c];
}

}  // namespace

bool is_hf_folder(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && exists(path + "/config.json");
}

Arch hf_gpt2_arch_from_config(const std::string& text, const std::string& what) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    throw FileError(what + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw FileError(what + ": not a JSON object");
  const ConfigReader r{j, what};
  if (!j.contains("model_type") || !j.at("model_type").is_string())
    r.fail(std::string("'model_type' is missing; this attnlab reads model types: ") + kHfModelTypes);
  const std::string type = j.at("model_type").get<std::string>();
  if (type != "gpt2") r.fail("'model_type' is '" + type + "'; this attnlab reads model types: " + kHfModelTypes);

  Arch a;
  a.n_layers = static_cast<int>(r.integer("n_layer", 1, kMaxModelLayers));
  a.d_model = static_cast<int>(r.integer("n_embd", kMinTrainDModel, kMaxModelDModel));
  a.n_heads = static_cast<int>(r.integer("n_head", 1, kMaxModelHeads));
  if (a.d_model % a.n_heads != 0)
    r.fail("'n_embd' (" + std::to_string(a.d_model) + ") must be divisible by 'n_head' (" + std::to_string(a.n_heads) +
           ")");
  a.d_head = a.d_model / a.n_heads;
  a.vocab_size = static_cast<int>(r.integer("vocab_size", 2, kMaxModelVocab));
  a.max_seq_len = static_cast<int>(r.integer("n_positions", 1, kMaxModelSeqLen));
  a.mlp = true;
  a.learned_positions = true;
  a.d_mlp = j.contains("n_inner") && !j.at("n_inner").is_null()
                ? static_cast<int>(r.integer("n_inner", 1, kMaxModelMlp))
                : 4 * a.d_model;
  if (!j.contains("layer_norm_epsilon")) r.fail("'layer_norm_epsilon' is missing");
  const Json& eps = j.at("layer_norm_epsilon");
  if (!eps.is_number() || !(eps.get<double>() >= 1e-12 && eps.get<double>() <= 0.1))
    r.fail("'layer_norm_epsilon' (" + eps.dump() + ") must be a number between 1e-12 and 0.1");
  a.ln_eps = eps.get<double>();
  // transformers' default is gelu_new; "gelu_pytorch_tanh" is the same function.
  const std::string act = j.contains("activation_function") && j.at("activation_function").is_string()
                              ? j.at("activation_function").get<std::string>()
                          : j.contains("activation_function") ? std::string("(not a string)")
                                                              : "gelu_new";
  if (act == "gelu_new" || act == "gelu_pytorch_tanh")
    a.gelu = Gelu::Tanh;
  else if (act == "gelu")
    a.gelu = Gelu::Exact;
  else
    r.fail("'activation_function' is '" + act + "'; this attnlab computes gelu_new, gelu_pytorch_tanh and gelu");
  a.tied_embeddings = r.flag("tie_word_embeddings", true);
  // Attention variants the engine does not compute are refused rather than computed differently.
  if (!r.flag("scale_attn_weights", true))
    r.fail("'scale_attn_weights' is false; this attnlab scales by 1/sqrt(d_head)");
  if (r.flag("scale_attn_by_inverse_layer_idx", false))
    r.fail("'scale_attn_by_inverse_layer_idx' is true; this attnlab does not scale attention by layer");
  if (r.flag("add_cross_attention", false))
    r.fail("'add_cross_attention' is true; GPT-2 with cross-attention is not read");
  try {
    validate_model(a, RunOptions{});
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  return a;
}

HfGpt2 load_hf_gpt2(const std::string& folder, const std::function<void(double)>& progress) {
  const std::string config_path = folder + "/config.json";
  if (!is_hf_folder(folder))
    throw FileError("cannot read " + folder + ": not a Hugging Face model folder (it has no config.json)");
  HfGpt2 out;
  out.folder = folder;
  const Arch a = hf_gpt2_arch_from_config(read_file(config_path, kMaxConfigBytes), config_path);

  // 1. The weight files: one model.safetensors, or the shards its index names.
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  std::map<std::string, Source> tensors;  // name without "transformer." -> where it is
  const auto add_file = [&](const std::string& path, const std::set<std::string>* expected) {
    files.push_back(std::make_unique<SafetensorsFile>(SafetensorsFile::open(path)));
    for (const SafeTensorInfo& t : files.back()->tensors()) {
      if (expected && !expected->count(t.name))
        throw FileError(path + ": tensor '" + t.name + "' is not listed for this file in model.safetensors.index.json");
      const std::string name = t.name.rfind("transformer.", 0) == 0 ? t.name.substr(12) : t.name;
      if (!tensors.emplace(name, Source{files.back().get(), &t}).second)
        throw FileError(path + ": tensor '" + t.name +
                        "' appears twice (with and without 'transformer.', or in two shards)");
    }
  };
  const std::string single = folder + "/model.safetensors", index_path = folder + "/model.safetensors.index.json";
  if (exists(single)) {
    add_file(single, nullptr);
  } else if (exists(index_path)) {
    Json index;
    try {
      index = Json::parse(read_file(index_path, kMaxIndexBytes));
    } catch (const Json::exception& e) {
      throw FileError(index_path + ": not valid JSON (" + e.what() + ")");
    }
    if (!index.is_object() || !index.contains("weight_map") || !index.at("weight_map").is_object())
      throw FileError(index_path + ": it has no 'weight_map' object");
    std::map<std::string, std::set<std::string>> by_file;
    for (const auto& [name, file] : index.at("weight_map").items()) {
      if (!file.is_string()) throw FileError(index_path + ": 'weight_map' entry '" + name + "' is not a file name");
      const std::string f = file.get<std::string>();
      if (f.empty() || f.find('/') != std::string::npos || f == "." || f == "..")
        throw FileError(index_path + ": 'weight_map' entry '" + name + "' names '" + f + "', not a file in the folder");
      by_file[f].insert(name);
    }
    if (by_file.empty()) throw FileError(index_path + ": 'weight_map' is empty");
    for (const auto& [f, names] : by_file) {
      add_file(folder + "/" + f, &names);
      for (const std::string& name : names)
        if (!files.back()->find(name))
          throw FileError(folder + "/" + f + ": has no tensor '" + name +
                          "', which model.safetensors.index.json puts there");
    }
  } else {
    throw FileError("cannot read " + folder + ": it has neither model.safetensors nor model.safetensors.index.json");
  }

  // 2. The schema: each of our tensors, the Hugging Face name it comes from, and whether
  //    Conv1D stored it as (in, out) so that it must be transposed into nn.Linear's (out, in).
  struct Row {
    std::string ours, theirs;
    bool transposed;
  };
  std::vector<Row> rows{{"tok_emb.weight", "wte.weight", false}, {"pos_emb.weight", "wpe.weight", false}};
  std::set<std::string> skipped;  // the causal-mask buffers: constants, not weights
  for (int i = 0; i < a.n_layers; ++i) {
    const std::string o = "blocks." + std::to_string(i) + ".", h = "h." + std::to_string(i) + ".";
    rows.insert(rows.end(), {{o + "ln1.weight", h + "ln_1.weight", false},
                             {o + "ln1.bias", h + "ln_1.bias", false},
                             {o + "attn.in_proj_weight", h + "attn.c_attn.weight", true},
                             {o + "attn.in_proj_bias", h + "attn.c_attn.bias", false},
                             {o + "attn.out_proj.weight", h + "attn.c_proj.weight", true},
                             {o + "attn.out_proj.bias", h + "attn.c_proj.bias", false},
                             {o + "ln2.weight", h + "ln_2.weight", false},
                             {o + "ln2.bias", h + "ln_2.bias", false},
                             {o + "mlp.fc.weight", h + "mlp.c_fc.weight", true},
                             {o + "mlp.fc.bias", h + "mlp.c_fc.bias", false},
                             {o + "mlp.proj.weight", h + "mlp.c_proj.weight", true},
                             {o + "mlp.proj.bias", h + "mlp.c_proj.bias", false}});
    skipped.insert(h + "attn.bias");
    skipped.insert(h + "attn.masked_bias");
  }
  rows.insert(rows.end(), {{"ln_f.weight", "ln_f.weight", false}, {"ln_f.bias", "ln_f.bias", false}});
  if (!a.tied_embeddings) rows.push_back({"unembed.weight", "lm_head.weight", false});
  // lm_head.weight is the only name that never carries the "transformer." prefix; a tied model
  // may still store it, and then it must be the embedding.
  const bool head_stored = tensors.count("lm_head.weight") > 0;

  std::set<std::string> used;
  for (const auto& tensor : tensors) {
    // Plain names, not a structured binding: C++17 lambdas (clang) cannot capture those.
    const std::string& name = tensor.first;
    const auto& src = tensor.second;
    const bool known = skipped.count(name) || name == "lm_head.weight" ||
                       std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.theirs == name; });
    if (!known)
      throw FileError(src.file->path() + ": unexpected tensor '" + src.info->name + "' for a GPT-2 of " +
                      std::to_string(a.n_layers) + " layers");
  }

  // 3. Every tensor present with its shape before the arena is allocated: the arena is then at
  //    most twice the files' bytes (F16 / BF16 widen to float32), whatever config.json claims.
  const ParamLayout layout = ParamLayout::of(a);
  std::vector<const Source*> sources;
  for (const Row& row : rows) {
    const ParamTensor* pt = layout.find(row.ours);
    const std::vector<std::size_t> want =
        row.transposed ? std::vector<std::size_t>{pt->shape[1], pt->shape[0]} : pt->shape;
    const auto it = tensors.find(row.theirs);
    if (it == tensors.end())
      throw FileError(folder + ": missing tensor '" + row.theirs + "' " + shape_text(want) +
                      " for the model config.json describes");
    if (it->second.info->shape != want)
      throw FileError(it->second.file->path() + ": tensor '" + it->second.info->name + "' is " +
                      shape_text(it->second.info->shape) + " but config.json needs " + shape_text(want));
    sources.push_back(&it->second);
  }

  // 4. One arena, filled tensor by tensor; the files' pages are dropped as they are read.
  Model& m = out.model;
  m.arch = a;
  m.run = RunOptions{};
  m.run.causal = true;
  m.run.positional = Positional::Learned;
  m.layout = layout;
  m.params.assign(m.layout.total, 0.0f);
  m.knocked_out.assign(static_cast<std::size_t>(a.n_layers) * static_cast<std::size_t>(a.n_heads), 0);
  std::vector<float> scratch;
  double total = 0.0, done = 0.0;  // floats, for `progress`
  for (const Source* source : sources) total += static_cast<double>(source->info->count());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const SafeTensorInfo& info = *sources[i]->info;
    float* dst = m.params.data() + m.layout.find(row.ours)->offset;
    if (row.transposed) {
      scratch.resize(info.count());
      sources[i]->file->read_f32(info, scratch.data());
      transpose(scratch.data(), dst, info.shape[0], info.shape[1]);
    } else {
      sources[i]->file->read_f32(info, dst);
    }
    done += static_cast<double>(info.count());
    if (progress) progress(done / total);
  }
  if (head_stored && a.tied_embeddings) {
    const Source& head = tensors.at("lm_head.weight");
    const ParamTensor* tok = m.layout.find("tok_emb.weight");
    if (head.info->shape != tok->shape)
      throw FileError(head.file->path() + ": tensor 'lm_head.weight' is " + shape_text(head.info->shape) +
                      " but config.json needs " + shape_text(tok->shape));
    scratch.resize(head.info->count());
    head.file->read_f32(*head.info, scratch.data());
    if (!std::equal(scratch.begin(), scratch.end(), m.params.begin() + static_cast<std::ptrdiff_t>(tok->offset)))
      throw FileError(head.file->path() +
                      ": tensor 'lm_head.weight' differs from 'wte.weight' but config.json ties "
                      "them (tie_word_embeddings is true or absent)");
  }
  scratch = std::vector<float>();
  files.clear();  // unmapped: the arena is the only copy

  // 5. The vocabulary: vocab.json's token -> id, one id per row of the embedding; merges.txt
  //    must be there for the tokenizer.
  const std::string vocab_path = folder + "/vocab.json";
  Json vocab;
  try {
    vocab = Json::parse(read_file(vocab_path, kMaxVocabJsonBytes));
  } catch (const Json::exception& e) {
    throw FileError(vocab_path + ": not valid JSON (" + e.what() + ")");
  }
  if (!vocab.is_object()) throw FileError(vocab_path + ": not a JSON object of token -> id");
  if (vocab.size() != static_cast<std::size_t>(a.vocab_size))
    throw FileError(vocab_path + ": it has " + std::to_string(vocab.size()) +
                    " tokens but the embedding 'wte.weight' has " + std::to_string(a.vocab_size) + " rows");
  out.vocab.assign(static_cast<std::size_t>(a.vocab_size), std::string());
  std::vector<bool> seen(static_cast<std::size_t>(a.vocab_size), false);
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() >= a.vocab_size)
      throw FileError(vocab_path + ": token '" + token + "' has id " + id.dump() + ", outside 0.." +
                      std::to_string(a.vocab_size - 1));
    const std::size_t i = static_cast<std::size_t>(id.get<long long>());
    if (seen[i]) throw FileError(vocab_path + ": id " + std::to_string(i) + " is given to two tokens");
    seen[i] = true;
    out.vocab[i] = token;
  }
  const std::string merges_path = folder + "/merges.txt";
  read_file(merges_path, kMaxVocabJsonBytes);  // present, a regular file, bounded
  return out;
}

std::string hf_gpt2_refusal(const Model& m) {
  const Arch& a = m.arch;
  if (!a.mlp) return "it has no MLP (GPT-2's blocks always have one)";
  if (m.run.positional != Positional::Learned) return "its positions are not learned (GPT-2 has a learned table)";
  if (!m.run.causal) return "it is bidirectional (GPT-2 is causal)";
  if (m.run.temperature != 1.0f) return "its attention has a temperature (GPT-2 divides by sqrt(d_head) only)";
  if (a.inner_dim() != a.d_model)
    return "its heads are " + std::to_string(a.n_heads) + " x " + std::to_string(a.d_head) + " wide, not d_model (" +
           std::to_string(a.d_model) + ")";
  return "";
}

namespace {

// vocab.json's text: entry i -> i. Throws std::invalid_argument for the wrong size or a repeat.
Json vocab_json_of(const Model& m, const std::vector<std::string>& vocab) {
  const std::string why = hf_gpt2_refusal(m);
  if (!why.empty()) throw std::invalid_argument("this model cannot be saved as GPT-2: " + why);
  if (vocab.size() != static_cast<std::size_t>(m.arch.vocab_size))
    throw std::invalid_argument("the vocabulary has " + std::to_string(vocab.size()) + " entries but the model " +
                                std::to_string(m.arch.vocab_size));
  Json vocab_json = Json::object();
  for (std::size_t i = 0; i < vocab.size(); ++i) {
    if (vocab_json.contains(vocab[i])) throw std::invalid_argument("the vocabulary lists '" + vocab[i] + "' twice");
    vocab_json[vocab[i]] = i;
  }
  return vocab_json;
}

void write_hf_folder(const Model& m, const Json& vocab_json, const std::string& merges_txt, const std::string& folder);

}  // namespace

std::string gpt2_vocab_entry(std::string_view bytes) {
  std::string entry;
  for (const char c : bytes) append_utf8(entry, gpt2_byte_char(static_cast<unsigned char>(c)));
  return entry;
}

void save_hf_gpt2(const Model& m, const std::vector<std::string>& vocab, const std::string& folder) {
  write_hf_folder(m, vocab_json_of(m, vocab), "#version: 0.2\n", folder);
}

void save_hf_gpt2(const Model& m, const Bpe& tokenizer, const std::string& folder) {
  if (tokenizer.vocab_size() != static_cast<std::size_t>(m.arch.vocab_size))
    throw std::invalid_argument("the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                                " tokens but the model " + std::to_string(m.arch.vocab_size));
  // 1. vocab.json: each token's bytes in GPT-2's byte-to-character form. Two tokens of the same
  //    bytes (a trained BPE can make "abc" from a+bc and from ab+c) cannot both be keys.
  std::vector<std::string> vocab(tokenizer.vocab_size());
  for (std::size_t i = 0; i < vocab.size(); ++i) {
    const std::string& bytes = tokenizer.token_bytes(static_cast<std::int32_t>(i));
    const std::int32_t first = tokenizer.id_of(bytes);
    if (first != static_cast<std::int32_t>(i))
      throw std::invalid_argument("tokens " + std::to_string(first) + " and " + std::to_string(i) +
                                  " of the tokenizer are the same bytes, which GPT-2's vocab.json cannot hold twice");
    vocab[i] = gpt2_vocab_entry(bytes);
  }
  // 2. merges.txt: one "left right" line per merge, rank = line order, as GPT-2's encoder reads it.
  std::string merges = "#version: 0.2\n";
  for (const BpeMerge& merge : tokenizer.merges())
    merges += vocab[static_cast<std::size_t>(merge.left)] + " " + vocab[static_cast<std::size_t>(merge.right)] + "\n";
  write_hf_folder(m, vocab_json_of(m, vocab), merges, folder);
}

namespace {

void write_hf_folder(const Model& m, const Json& vocab_json, const std::string& merges_txt, const std::string& folder) {
  const Arch& a = m.arch;
  if (::mkdir(folder.c_str(), 0777) != 0 && errno != EEXIST)
    throw FileError("cannot create " + folder + ": " + std::strerror(errno));

  // 1. The tensors under Hugging Face's names, the Conv1D ones transposed back to (in, out).
  struct Out {
    std::string name;
    const ParamTensor* t;
    bool transposed;
  };
  std::vector<Out> outs{{"wte.weight", m.layout.find("tok_emb.weight"), false},
                        {"wpe.weight", m.layout.find("pos_emb.weight"), false}};
  for (int i = 0; i < a.n_layers; ++i) {
    const std::string o = "blocks." + std::to_string(i) + ".", h = "h." + std::to_string(i) + ".";
    const auto at = [&](const std::string& n) { return m.layout.find(o + n); };
    outs.insert(outs.end(), {{h + "ln_1.weight", at("ln1.weight"), false},
                             {h + "ln_1.bias", at("ln1.bias"), false},
                             {h + "attn.c_attn.weight", at("attn.in_proj_weight"), true},
                             {h + "attn.c_attn.bias", at("attn.in_proj_bias"), false},
                             {h + "attn.c_proj.weight", at("attn.out_proj.weight"), true},
                             {h + "attn.c_proj.bias", at("attn.out_proj.bias"), false},
                             {h + "ln_2.weight", at("ln2.weight"), false},
                             {h + "ln_2.bias", at("ln2.bias"), false},
                             {h + "mlp.c_fc.weight", at("mlp.fc.weight"), true},
                             {h + "mlp.c_fc.bias", at("mlp.fc.bias"), false},
                             {h + "mlp.c_proj.weight", at("mlp.proj.weight"), true},
                             {h + "mlp.c_proj.bias", at("mlp.proj.bias"), false}});
  }
  outs.insert(outs.end(),
              {{"ln_f.weight", m.layout.find("ln_f.weight"), false}, {"ln_f.bias", m.layout.find("ln_f.bias"), false}});
  if (!a.tied_embeddings) outs.push_back({"lm_head.weight", m.layout.find("unembed.weight"), false});
  Json header = Json::object();
  header["__metadata__"] = {{"format", "pt"}};
  std::uint64_t offset = 0;
  for (const Out& o : outs) {
    const std::vector<std::size_t> shape =
        o.transposed ? std::vector<std::size_t>{o.t->shape[1], o.t->shape[0]} : o.t->shape;
    header[o.name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {offset, offset + o.t->size * 4}}};
    offset += o.t->size * 4;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the format pads the header to 8 bytes
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((text.size() >> (8 * i)) & 0xFF);
  bytes += text;
  bytes.reserve(bytes.size() + offset);
  std::vector<float> scratch;
  for (const Out& o : outs) {
    const float* src = m.params.data() + o.t->offset;
    if (o.transposed) {
      scratch.resize(o.t->size);
      transpose(src, scratch.data(), o.t->shape[0], o.t->shape[1]);
      src = scratch.data();
    }
    // Little-endian float32, as this x86-64 / ARM64 machine holds them.
    bytes.append(reinterpret_cast<const char*>(src), o.t->size * sizeof(float));
  }

  // 2. config.json as transformers writes a GPT2Config.
  const Json config = {{"model_type", "gpt2"},
                       {"architectures", {"GPT2LMHeadModel"}},
                       {"n_layer", a.n_layers},
                       {"n_head", a.n_heads},
                       {"n_embd", a.d_model},
                       {"n_positions", a.max_seq_len},
                       {"n_ctx", a.max_seq_len},
                       {"n_inner", a.mlp_dim()},
                       {"vocab_size", a.vocab_size},
                       {"layer_norm_epsilon", a.ln_eps},
                       {"activation_function", a.gelu == Gelu::Tanh ? "gelu_new" : "gelu"},
                       {"tie_word_embeddings", a.tied_embeddings},
                       {"resid_pdrop", 0.0},
                       {"embd_pdrop", 0.0},
                       {"attn_pdrop", 0.0},
                       {"torch_dtype", "float32"}};
  write_file_atomic(folder + "/model.safetensors", bytes);
  write_file_atomic(folder + "/config.json", config.dump(2) + "\n");
  write_file_atomic(folder + "/vocab.json", vocab_json.dump(-1, ' ', false, Json::error_handler_t::replace));
  write_file_atomic(folder + "/merges.txt", merges_txt);
}

}  // namespace

}  // namespace attn
