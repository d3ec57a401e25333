// Reads --text, --heads, --d-model ... into a ModelInput. Range checks that need several values
// together (d_model vs heads) are left to attn::validate so the window and CLI say the same thing.
#include "cli/model_options.hpp"

#include "core/lessons.hpp"

namespace app::cli {

const char* const kModelFlagsHelp =
    "  --text TEXT              the sentence (default: an example sentence)\n"
    "  --heads H                number of heads, 1-32 (default 4)\n"
    "  --d-model D              model width, 1-1024 (default 64; with --weights, from the file)\n"
    "  --d-head K               width of each head (default d_model / heads)\n"
    "  --seed S                 seed for embeddings, learned positions and weights (default 42)\n"
    "  --causal                 mask future tokens (decoder-style attention)\n"
    "  --positional P           none | sinusoidal | learned | rope (default sinusoidal)\n"
    "  --temperature T          divides the scores, > 0 (default 1)\n"
    "  --tokenizer M            word | char | gpt2 (GPT-2's byte-level BPE) (default word)\n"
    "  --weights W.npz          PyTorch nn.MultiheadAttention weights saved with numpy.savez\n";

bool parse_model_flag(const std::string& flag, ArgCursor& args, ModelInput& input) {
  attn::ModelConfig& c = input.config;
  if (flag == "--text") {
    input.text = args.value(flag);
  } else if (flag == "--heads") {
    c.n_heads = args.int_value(flag, 1, attn::kMaxHeads);
  } else if (flag == "--d-model") {
    c.d_model = args.int_value(flag, 1, attn::kMaxDModel);
    input.d_model_given = true;
  } else if (flag == "--d-head") {
    c.d_head = args.int_value(flag, 1, attn::kMaxDHead);
  } else if (flag == "--seed") {
    c.seed = args.u64_value(flag);
  } else if (flag == "--causal") {
    c.causal = true;
  } else if (flag == "--positional") {
    const std::string v = args.value(flag);
    const auto p = attn::parse_positional(v);
    if (!p) throw UsageError("--positional must be none, sinusoidal, learned or rope, got '" + v + "'");
    c.positional = *p;
  } else if (flag == "--temperature") {
    c.temperature =
        args.float_value(flag, static_cast<double>(attn::kMinTemperature), static_cast<double>(attn::kMaxTemperature));
  } else if (flag == "--tokenizer") {
    const std::string v = args.value(flag);
    const auto m = attn::parse_tokenizer_mode(v);
    if (!m) throw UsageError("--tokenizer must be word, char or gpt2, got '" + v + "'");
    input.tokenizer = *m;
  } else if (flag == "--weights") {
    input.weights_path = args.value(flag);
  } else {
    return false;
  }
  return true;
}

std::string lesson_flag_path(const std::string& name) {
  if (!is_lesson(name)) throw UsageError("--lesson must be " + lesson_names_text() + ", got '" + name + "'");
  return lesson_path(name);
}

std::vector<std::int32_t> parse_ids(const std::string& flag, const std::string& text) {
  const std::vector<int> values = parse_int_list(flag, text, 0, attn::kMaxModelVocab - 1);
  if (values.size() > static_cast<std::size_t>(attn::kMaxModelSeqLen))
    throw UsageError(flag + " gives " + std::to_string(values.size()) + " ids, more than any model's " +
                     std::to_string(attn::kMaxModelSeqLen) + " positions");
  return std::vector<std::int32_t>(values.begin(), values.end());
}

bool parse_checkpoint_flag(const std::string& flag, ArgCursor& args, std::string& model_path) {
  if (flag != "--model" && flag != "--lesson") return false;
  const std::string value = args.value(flag);
  if (!model_path.empty()) throw UsageError(flag + " names a second model: give one --model or --lesson");
  model_path = flag == "--lesson" ? lesson_flag_path(value) : value;
  return true;
}

}  // namespace app::cli
