// `attnlab dump`: every intermediate tensor of one forward pass as float32 .npy files.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "core/config_json.hpp"
#include "core/output_dir.hpp"
#include "core/model_run.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"

namespace app::cli {

namespace {

const char* const kDumpHelp =
    "Usage: attnlab dump --out DIR [model flags]\n"
    "       attnlab dump --out DIR --model CKPT.npz [--text TEXT] [--grads]\n"
    "       attnlab dump --out DIR --lesson NAME [--text TEXT] [--grads]\n"
    "  (--lesson NAME is --model with a lesson model: sentences, induction, reverse or sort)\n\n"
    "With --model, a trained model's every layer (layerI/ from 0):\n"
    "  x.npy (stream in)  ln1.npy  qkv.npy (n, 3*heads*d_head)  q.npy k.npy v.npy (heads, n, d_head)\n"
    "  scores.npy attn.npy (heads, n, n)  head_out.npy  concat.npy  attn_out.npy  resid_mid.npy\n"
    "  and with MLPs ln2.npy fc.npy gelu.npy mlp_out.npy resid_out.npy; then embed.npy (n, d_model),\n"
    "  ln_f.npy, logits.npy (n, vocab) and tokens.json (ids, words, spans, unknown words).\n"
    "  --grads also writes loss.npy (1,) (mean next-token cross-entropy over the text) and\n"
    "  grads.npz (that loss's gradient for every parameter, under the checkpoint's names).\n\n"
    "Without --model, the explorer's attention (random or --weights):\n"
    "Writes float32 C-order .npy files into DIR (created if missing):\n"
    "  x.npy (n, d_model)  q.npy k.npy v.npy (heads, n, d_head)  scores.npy attn.npy (heads, n, n)\n"
    "  head_out.npy (heads, n, d_head)  concat.npy (n, heads*d_head)  out.npy (n, d_model)\n"
    "  params.npz (the weights used, loadable with --weights)  tokens.json (tokens, spans, config)\n\n"
    "Model flags:\n";

template <typename Tensor>
void write_npy(const std::string& dir, const char* name, const Tensor& t) {
  const std::vector<std::size_t> shape(t.shape().begin(), t.shape().end());
  attn::write_file_atomic(dir + "/" + name, attn::npy_encode(t.data(), shape));
}

void write_vec(const std::string& dir, const std::string& name, const std::vector<float>& v,
               const std::vector<std::size_t>& shape) {
  attn::write_file_atomic(dir + "/" + name, attn::npy_encode(v.data(), shape));
}

int dump_model(const std::string& path, const std::optional<std::string>& given_text, const std::string& out_dir,
               bool grads) {
  const attn::Checkpoint ck = attn::load_checkpoint(path);
  const attn::Model& m = ck.model;
  const std::string text = given_text ? *given_text : example_text(ck);
  ModelRun run = run_model(m, attn::Vocab(ck.vocab), lower_cases(ck), text);
  std::vector<float> gradient;
  float loss = 0.0f;
  if (grads) loss = next_token_gradients(m, run, gradient);

  const std::size_t n = run.input.ids.size(), E = static_cast<std::size_t>(m.arch.d_model),
                    I = static_cast<std::size_t>(m.arch.inner_dim()), V = static_cast<std::size_t>(m.arch.vocab_size);
  ensure_directory(out_dir);
  for (int l = 0; l < m.arch.n_layers; ++l) {
    const std::string dir = out_dir + "/layer" + std::to_string(l);
    ensure_directory(dir);
    const attn::LayerActivations& L = run.acts.layers[static_cast<std::size_t>(l)];
    const attn::Trace t = run.layer(m, l);
    write_vec(dir, "x.npy", l == 0 ? run.acts.embed : run.acts.layers[static_cast<std::size_t>(l - 1)].stream_out(),
              {n, E});
    write_vec(dir, "ln1.npy", L.ln1, {n, E});
    write_npy(dir, "qkv.npy", t.qkv);
    write_npy(dir, "q.npy", t.q);
    write_npy(dir, "k.npy", t.k);
    write_npy(dir, "v.npy", t.v);
    write_npy(dir, "scores.npy", t.scores);
    write_npy(dir, "attn.npy", t.attn);
    write_npy(dir, "head_out.npy", t.head_out);
    write_vec(dir, "concat.npy", L.concat, {n, I});
    write_vec(dir, "attn_out.npy", L.attn_out, {n, E});
    write_vec(dir, "resid_mid.npy", L.resid_mid, {n, E});
    if (!m.arch.mlp) continue;
    write_vec(dir, "ln2.npy", L.ln2, {n, E});
    write_vec(dir, "fc.npy", L.fc, {n, 4 * E});
    write_vec(dir, "gelu.npy", L.gelu, {n, 4 * E});
    write_vec(dir, "mlp_out.npy", L.mlp_out, {n, E});
    write_vec(dir, "resid_out.npy", L.resid_out, {n, E});
  }
  write_vec(out_dir, "embed.npy", run.acts.embed, {n, E});
  write_vec(out_dir, "ln_f.npy", run.acts.ln_f, {n, E});
  write_vec(out_dir, "logits.npy", run.acts.logits, {n, V});
  nlohmann::json tokens = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i)
    tokens.push_back({{"index", i}, {"id", run.input.ids[i]}, {"text", run.input.tokens[i].text},
                      {"start", run.input.tokens[i].begin}, {"end", run.input.tokens[i].end},
                      {"unknown", static_cast<bool>(run.input.unknown[i])}});
  const nlohmann::json info = {{"text", text}, {"model", path}, {"task", ck.task}, {"tokens", tokens}};
  attn::write_file_atomic(out_dir + "/tokens.json",
                          info.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (grads) {
    const float loss_row[1] = {loss};
    attn::write_file_atomic(out_dir + "/loss.npy", attn::npy_encode(loss_row, {1}));
    std::map<std::string, std::string> entries;
    for (const attn::ParamTensor& t : m.layout.tensors)
      entries[t.name] = attn::npy_encode(gradient.data() + t.offset, t.shape);
    attn::write_file_atomic(out_dir + "/grads.npz", attn::npz_write(entries));
  }
  std::size_t unknown = 0;
  for (bool u : run.input.unknown) unknown += u;
  if (unknown) std::fprintf(stderr, "attnlab dump: %zu word(s) not in the model's vocabulary became <unk>\n", unknown);
  std::printf("wrote %zu tokens, %d layers to %s\n", n, m.arch.n_layers, out_dir.c_str());
  return 0;
}

}  // namespace

int run_dump(const std::vector<std::string>& argv) {
  return guarded("dump", [&] {
    ModelInput input;
    input.text = kExampleSentence;
    std::string out_dir, model_path, explorer_flag;
    bool grads = false, text_given = false;
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
      } else if (flag == "--grads") {
        grads = true;
      } else if (parse_model_flag(flag, args, input)) {
        if (flag != "--text") explorer_flag = flag;
        else text_given = true;
      } else {
        throw UsageError("unknown flag '" + flag + "'");
      }
    }
    if (out_dir.empty()) throw UsageError("--out DIR is required");
    if (!model_path.empty() && !explorer_flag.empty())
      throw UsageError(explorer_flag + " does not apply with --model: the checkpoint fixes the model");
    if (grads && model_path.empty()) throw UsageError("--grads needs --model or --lesson");
    if (!model_path.empty()) return dump_model(model_path, text_given ? std::optional(input.text) : std::nullopt, out_dir, grads);

    const ResolvedModel model = resolve_model(input);
    const attn::Trace trace = compute_trace(input, model);
    if (trace.tokenization.truncated) std::fprintf(stderr, "attnlab dump: %s\n", trace.tokenization.message.c_str());

    ensure_directory(out_dir);
    write_npy(out_dir, "x.npy", trace.x);
    write_npy(out_dir, "q.npy", trace.q);
    write_npy(out_dir, "k.npy", trace.k);
    write_npy(out_dir, "v.npy", trace.v);
    write_npy(out_dir, "scores.npy", trace.scores);
    write_npy(out_dir, "attn.npy", trace.attn);
    write_npy(out_dir, "head_out.npy", trace.head_out);
    write_npy(out_dir, "concat.npy", trace.concat);
    write_npy(out_dir, "out.npy", trace.out);
    attn::save_weights_npz(model.weights, out_dir + "/params.npz");
    const std::string json = trace_tokens_json(trace, input).dump(
        2, ' ', false, nlohmann::json::error_handler_t::replace);
    attn::write_file_atomic(out_dir + "/tokens.json", json + "\n");
    std::printf("wrote %zu tokens, %d heads to %s\n", trace.n_tokens(), trace.config.n_heads,
                out_dir.c_str());
    return 0;
  });
}

}  // namespace app::cli
