// `attnlab dump`: every intermediate tensor of one forward pass as float32 .npy files.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "core/config_json.hpp"
#include "core/hf_run.hpp"
#include "core/model_run.hpp"
#include "core/output_dir.hpp"
#include "core/staged_folder.hpp"
#include "core/tensor_catalog.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/text/token_text.hpp"

namespace app::cli {

namespace {

const char* const kDumpHelp =
    "Usage: attnlab dump --out DIR [model flags]\n"
    "       attnlab dump --out DIR --model CKPT.npz [--text TEXT] [--grads]\n"
    "       attnlab dump --out DIR --lesson NAME [--text TEXT] [--grads]\n"
    "       attnlab dump --out DIR --model HF_FOLDER [--text TEXT | --ids 464,3290,...]\n"
    "  (--lesson NAME is --model with a lesson model: sentences, induction, reverse, sort or\n"
    "   english; the english model reads --text through its own byte-level BPE;\n"
    "   --model also takes a Hugging Face GPT-2 folder: config.json, model.safetensors or shards,\n"
    "   vocab.json, merges.txt; --text is split by its byte-level BPE, --ids gives token ids)\n\n"
    "With --model, a trained model's every layer (layerI/ from 0):\n"
    "  x.npy (stream in)  ln1.npy  qkv.npy (n, 3*heads*d_head)  q.npy k.npy v.npy (heads, n, d_head)\n"
    "  scores.npy attn.npy (heads, n, n)  head_out.npy  concat.npy  attn_out.npy  resid_mid.npy\n"
    "  and with MLPs ln2.npy fc.npy gelu.npy (n, mlp width) mlp_out.npy resid_out.npy; then embed.npy (n, d_model),\n"
    "  ln_f.npy, logits.npy (n, vocab) and tokens.json (ids, words, spans, unknown words).\n"
    "  --grads also writes loss.npy (1,) (mean next-token cross-entropy over the text) and\n"
    "  grads.npz (that loss's gradient for every parameter, under the checkpoint's names); the text\n"
    "  needs at least 2 tokens, since the loss scores each token's prediction of the next.\n\n"
    "Without --model, the explorer's attention (random or --weights):\n"
    "Writes float32 C-order .npy files into DIR (created if missing):\n"
    "  x.npy (n, d_model)  q.npy k.npy v.npy (heads, n, d_head)  scores.npy attn.npy (heads, n, n)\n"
    "  head_out.npy (heads, n, d_head)  concat.npy (n, heads*d_head)  out.npy (n, d_model)\n"
    "  params.npz (the weights used, loadable with --weights)  tokens.json (tokens, spans, config)\n\n"
    "Model flags:\n";

// Every name dump writes, in one place (the explorer's tensors and a layer folder's files are the
// tensor catalog's): the writers below refuse any other, and only these may be replaced when --out
// already holds an earlier dump.
const char* const kTopFiles[] = {"params.npz", "tokens.json", "embed.npy", "ln_f.npy",
                                 "logits.npy", "loss.npy",    "grads.npz"};

bool listed(const std::string& name, const char* const* begin, const char* const* end) {
  return std::any_of(begin, end, [&](const char* f) { return name == f; });
}

// "layer0" ... "layer9999": a model dump's per-layer folder.
bool is_layer_folder(const std::string& name) {
  return name.size() > 5 && name.size() < 10 && name.compare(0, 5, "layer") == 0 &&
         std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool dump_owns(const std::string& relative, bool is_folder) {
  const std::size_t slash = relative.find('/');
  if (slash == std::string::npos)
    return is_folder ? is_layer_folder(relative)
                     : listed(relative, std::begin(kTopFiles), std::end(kTopFiles)) ||
                           std::any_of(tensor_catalog().begin(), tensor_catalog().end(), [&](const TensorRow& row) {
                             return row.explorer_file && relative == row.explorer_file;
                           });
  return !is_folder && is_layer_folder(relative.substr(0, slash)) &&
         std::any_of(tensor_catalog().begin(), tensor_catalog().end(),
                     [&](const TensorRow& row) { return relative.substr(slash + 1) == row.file; });
}

// Writes one file of the set into the staging folder `dir` (the set's root, or a layer folder in it).
void write_file(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string relative = dir.substr(dir.find_last_of('/') + 1);
  if (!dump_owns(is_layer_folder(relative) ? relative + "/" + name : name, false))
    throw std::logic_error("dump writes " + name + " but does not list it in kTopFiles / the tensor catalog");
  attn::write_file_atomic(dir + "/" + name, bytes);
}

void write_vec(const std::string& dir, const std::string& name, const std::vector<float>& v,
               const std::vector<std::size_t>& shape) {
  write_file(dir, name, attn::npy_encode(v.data(), shape));
}

// Writes the set with `write(folder)` into a staging folder beside out_dir and moves it into
// place as a whole: a failure part-way leaves out_dir as it was, never a mix of two runs.
template <typename Write>
void write_set(const std::string& out_dir, Write&& write) {
  StagedFolder staged(out_dir, dump_owns);
  try {
    write(staged.path());
  } catch (const attn::FileError& e) {
    // Name the file as the person knows it, not by the staging folder's name.
    std::string message = e.what();
    for (std::size_t at; (at = message.find(staged.path())) != std::string::npos;)
      message.replace(at, staged.path().size(), out_dir);
    throw attn::FileError(message + "; nothing in " + out_dir + " was written or changed");
  }
  const std::string note = staged.commit();
  if (!note.empty()) std::fprintf(stderr, "attnlab dump: %s\n", note.c_str());
}

// Every layer of a model's run, embed/ln_f/logits and tokens.json (the run's tokens under
// "tokens", with `info`'s keys beside them) into the set's root.
void write_model_files(const std::string& root, const attn::Model& m, const ModelRun& run, nlohmann::json info) {
  const std::size_t n = run.input.ids.size(), E = static_cast<std::size_t>(m.arch.d_model),
                    V = static_cast<std::size_t>(m.arch.vocab_size);
  for (int l = 0; l < m.arch.n_layers; ++l) {
    const std::string dir = root + "/layer" + std::to_string(l);
    ensure_directory(dir);
    for (const TensorRow& row : tensor_catalog()) {
      if (!has_tensor(row, m.arch)) continue;
      const TensorData t = row.read(m.arch, run.acts, l);
      write_vec(dir, row.file, t.values, t.shape);
    }
  }
  write_vec(root, "embed.npy", run.acts.embed, {n, E});
  write_vec(root, "ln_f.npy", run.acts.ln_f, {n, E});
  write_vec(root, "logits.npy", run.acts.logits, {n, V});
  nlohmann::json tokens = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i)
    tokens.push_back({{"index", i},
                      {"id", run.input.ids[i]},
                      {"text", attn::token_text(run.input.tokens[i].text)},
                      {"start", run.input.tokens[i].begin},
                      {"end", run.input.tokens[i].end},
                      {"unknown", static_cast<bool>(run.input.unknown[i])}});
  info["tokens"] = tokens;
  write_file(root, "tokens.json", info.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

int dump_model(const std::string& path, const std::optional<std::string>& given_text, const std::string& out_dir,
               bool grads) {
  const attn::Checkpoint ck = attn::load_checkpoint(path);
  const attn::Model& m = ck.model;
  const std::string text = given_text ? *given_text : example_text(ck);
  ModelRun run = run_model(m, ck, text);
  // The loss scores each token's prediction of the next: one token predicts nothing, and a mean
  // over no predictions is not 0.
  if (grads && run.input.ids.size() < 2)
    throw UsageError(
        "--grads needs a text of at least 2 tokens (the loss scores each token's prediction of the "
        "next), got " +
        std::to_string(run.input.ids.size()));
  std::vector<float> gradient;
  float loss = 0.0f;
  if (grads) loss = next_token_gradients(m, run, gradient);

  const std::size_t n = run.input.ids.size();
  write_set(out_dir, [&](const std::string& root) {
    write_model_files(root, m, run, {{"text", text}, {"model", path}, {"task", ck.task}});
    if (grads) {
      const float loss_row[1] = {loss};
      write_file(root, "loss.npy", attn::npy_encode(loss_row, {1}));
      std::map<std::string, std::string> entries;
      for (const attn::ParamTensor& t : m.layout.tensors)
        entries[t.name] = attn::npy_encode(gradient.data() + t.offset, t.shape);
      write_file(root, "grads.npz", attn::npz_write(entries));
    }
  });
  std::size_t unknown = 0;
  for (bool u : run.input.unknown) unknown += u;
  if (unknown) std::fprintf(stderr, "attnlab dump: %zu word(s) not in the model's vocabulary became <unk>\n", unknown);
  std::printf("wrote %zu tokens, %d layers to %s\n", n, m.arch.n_layers, out_dir.c_str());
  return 0;
}

// A Hugging Face GPT-2 folder on token ids: the same layout, tokens.json with GPT-2's ids and
// readable token text.
int dump_hf(const std::string& folder, const std::optional<std::vector<std::int32_t>>& given_ids,
            const std::string& text, const std::string& out_dir) {
  const attn::HfGpt2 hf = attn::load_hf_gpt2(folder);
  const std::vector<std::int32_t> ids = given_ids ? *given_ids : hf_encode_text(hf, text);
  const ModelRun run = run_hf_ids(hf, ids);
  write_set(out_dir, [&](const std::string& root) {
    write_model_files(root, hf.model, run,
                      {{"text", run_text(run)}, {"model", folder}, {"model_type", "gpt2"}, {"ids", ids}});
  });
  std::printf("wrote %zu tokens, %d layers to %s\n", ids.size(), hf.model.arch.n_layers, out_dir.c_str());
  return 0;
}

}  // namespace

int run_dump(const std::vector<std::string>& argv) {
  return guarded("dump", [&] {
    ModelInput input;
    input.text = kExampleSentence;
    std::string out_dir, model_path, explorer_flag;
    bool grads = false, text_given = false;
    std::optional<std::vector<std::int32_t>> ids;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::printf("%s%s", kDumpHelp, kModelFlagsHelp);
        return 0;
      }
      if (flag == "--out") {
        out_dir = args.value(flag);
      } else if (parse_checkpoint_flag(flag, args, model_path)) {
        continue;
      } else if (flag == "--ids") {
        ids = parse_ids(flag, args.value(flag));
      } else if (flag == "--grads") {
        grads = true;
      } else if (parse_model_flag(flag, args, input)) {
        if (flag != "--text")
          explorer_flag = flag;
        else
          text_given = true;
      } else {
        throw UsageError("unknown flag '" + flag + "'");
      }
    }
    if (out_dir.empty()) throw UsageError("--out DIR is required");
    if (!model_path.empty() && !explorer_flag.empty())
      throw UsageError(explorer_flag + " does not apply with --model: the checkpoint fixes the model");
    if (grads && model_path.empty()) throw UsageError("--grads needs --model or --lesson");
    if (!model_path.empty() && attn::is_hf_folder(model_path)) {
      if (grads) throw UsageError("--grads is for attnlab checkpoints, not Hugging Face folders");
      if (text_given && ids) throw UsageError("give the sentence once: --ids or --text");
      return dump_hf(model_path, ids, text_given ? input.text : std::string(kExampleSentence), out_dir);
    }
    if (ids) throw UsageError("--ids is for Hugging Face model folders (--model DIR); this model reads --text");
    if (!model_path.empty())
      return dump_model(model_path, text_given ? std::optional(input.text) : std::nullopt, out_dir, grads);

    const ResolvedModel model = resolve_model(input);
    const attn::SequenceRun run = compute_run(input, model);
    if (run.tokenization.truncated) std::fprintf(stderr, "attnlab dump: %s\n", run.tokenization.message.c_str());

    write_set(out_dir, [&](const std::string& root) {
      for (const TensorRow& row : tensor_catalog()) {
        if (!row.explorer_file) continue;
        const TensorData t = row.read(run.arch, run.acts, 0);
        write_vec(root, row.explorer_file, t.values, t.shape);
      }
      attn::save_weights_npz(model.weights, root + "/params.npz");
      const std::string json =
          run_tokens_json(run, input).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      write_file(root, "tokens.json", json + "\n");
    });
    std::printf("wrote %zu tokens, %d heads to %s\n", run.n_tokens(), run.config.n_heads, out_dir.c_str());
    return 0;
  });
}

}  // namespace app::cli
