// `attnlab dump`: every intermediate tensor of one forward pass as float32 .npy files.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "core/config_json.hpp"
#include "core/output_dir.hpp"
#include "engine/npy.hpp"

namespace app::cli {

namespace {

const char* const kDumpHelp =
    "Usage: attnlab dump --out DIR [model flags]\n\n"
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

}  // namespace

int run_dump(const std::vector<std::string>& argv) {
  return guarded("dump", [&] {
    ModelInput input;
    input.text = kExampleSentence;
    std::string out_dir;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::printf("%s%s", kDumpHelp, kModelFlagsHelp);
        return 0;
      }
      if (flag == "--out") {
        out_dir = args.value(flag);
      } else if (!parse_model_flag(flag, args, input)) {
        throw UsageError("unknown flag '" + flag + "'");
      }
    }
    if (out_dir.empty()) throw UsageError("--out DIR is required");

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
