// Fuzz target bodies: each reader gets arbitrary bytes, and what it accepts is checked the way
// the app would then use it (written back and read again, or run through the model).
#include "fuzz/harnesses.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "cli/model_options.hpp"
#include "core/app_state.hpp"
#include "core/config_json.hpp"
#include "core/live_model.hpp"
#include "core/model_run.hpp"
#include "core/session_file.hpp"
#include "engine/attention.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "engine/io/safetensors.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/model/sequence_run.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/text/bpe.hpp"
#include "engine/text/pre_split.hpp"
#include "engine/text/token_text.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/weights.hpp"
#include "gui/window_options.hpp"

namespace app::fuzz {

namespace {

// A broken invariant: say which, then abort so libFuzzer saves the input (and the replay test fails).
[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, detail.c_str());
  std::abort();
}
#define ATTN_FUZZ_CHECK(cond, detail)   \
  do {                                  \
    if (!(cond)) broken(#cond, detail); \
  } while (0)

std::string bytes_of(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
}

// ---- tokenizer ----------------------------------------------------------------------------------

void check_tokenization(std::string_view text, const attn::Tokenization& t, std::size_t cap) {
  const std::string where = "text of " + std::to_string(text.size()) + " bytes, cap " + std::to_string(cap);
  ATTN_FUZZ_CHECK(t.tokens.size() <= cap, where);
  ATTN_FUZZ_CHECK(t.total_tokens >= t.tokens.size(), where);
  ATTN_FUZZ_CHECK(t.truncated == (t.total_tokens > t.tokens.size()), where);
  ATTN_FUZZ_CHECK(t.message.empty() == !t.truncated, where);
  std::size_t previous_end = 0;
  for (std::size_t i = 0; i < t.tokens.size(); ++i) {
    const attn::Token& token = t.tokens[i];
    const std::string at = where + ", token " + std::to_string(i) + " [" + std::to_string(token.begin) + ", " +
                           std::to_string(token.end) + ")";
    ATTN_FUZZ_CHECK(token.begin < token.end, at);      // never empty
    ATTN_FUZZ_CHECK(token.end <= text.size(), at);     // in range
    ATTN_FUZZ_CHECK(token.begin >= previous_end, at);  // ordered, no overlap
    if (token.invalid)
      ATTN_FUZZ_CHECK(token.text == "\xEF\xBF\xBD", at);
    else
      ATTN_FUZZ_CHECK(token.text == text.substr(token.begin, token.end - token.begin), at);
    previous_end = token.end;
  }
}

// ---- checks on what the model computed -----------------------------------------------------------

// Attention weights as the views draw them: each in [0, 1] (NaN fails), each row summing to 1.
void check_attention(const attn::LayerView& layer, const std::string& where) {
  const std::size_t heads = static_cast<std::size_t>(layer.config.n_heads), n = layer.n_tokens();
  ATTN_FUZZ_CHECK(layer.activations().layers[static_cast<std::size_t>(layer.layer())].attn.size() == heads * n * n,
                  where);
  for (std::size_t h = 0; h < heads; ++h)
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        const float w = layer.attn(h, i, j);
        ATTN_FUZZ_CHECK(w >= 0.0f && w <= 1.0f, where + ": weight " + std::to_string(w));
        sum += static_cast<double>(w);
      }
      ATTN_FUZZ_CHECK(std::fabs(sum - 1.0) < 1e-3, where + ": row sum " + std::to_string(sum));
    }
}

bool same_bits(const void* a, const void* b, std::size_t bytes) { return bytes == 0 || std::memcmp(a, b, bytes) == 0; }

}  // namespace

void tokenizer(const std::uint8_t* data, std::size_t size) {
  const std::string text = bytes_of(data, size);
  for (attn::TokenizerMode mode : {attn::TokenizerMode::Word, attn::TokenizerMode::Char}) {
    const attn::Tokenization all = attn::tokenize(text, mode, std::numeric_limits<std::size_t>::max());
    check_tokenization(text, all, std::numeric_limits<std::size_t>::max());
    // A cap keeps a prefix of the same tokens and counts the rest.
    const std::size_t cap = size % 7;
    const attn::Tokenization capped = attn::tokenize(text, mode, cap);
    check_tokenization(text, capped, cap);
    ATTN_FUZZ_CHECK(capped.total_tokens == all.total_tokens, "the cap changed the count");
    for (std::size_t i = 0; i < capped.tokens.size(); ++i)
      ATTN_FUZZ_CHECK(capped.tokens[i].begin == all.tokens[i].begin && capped.tokens[i].end == all.tokens[i].end,
                      "the cap changed token " + std::to_string(i));
  }
}

void npy(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = bytes_of(data, size);
  try {
    const attn::NpyArray a = attn::npy_decode(bytes, "fuzz.npy");
    std::size_t count = 1;
    for (std::size_t d : a.shape) count *= d;
    ATTN_FUZZ_CHECK(a.data.size() == count, "float32 data does not match its shape");
    const attn::NpyArray again = attn::npy_decode(attn::npy_encode(a.data.data(), a.shape), "again");
    ATTN_FUZZ_CHECK(again.shape == a.shape && same_bits(again.data.data(), a.data.data(), count * sizeof(float)),
                    "float32 array does not survive a write and a read");
  } catch (const attn::FileError&) {
  }
  try {
    const attn::NpyIntArray a = attn::npy_decode_i32(bytes, "fuzz.npy");
    std::size_t count = 1;
    for (std::size_t d : a.shape) count *= d;
    ATTN_FUZZ_CHECK(a.data.size() == count, "int32 data does not match its shape");
    const attn::NpyIntArray again = attn::npy_decode_i32(attn::npy_encode_i32(a.data.data(), a.shape), "again");
    ATTN_FUZZ_CHECK(again.shape == a.shape && again.data == a.data, "int32 array does not survive a write and a read");
  } catch (const attn::FileError&) {
  }
  try {
    const std::string raw = attn::npy_decode_u8(bytes, "fuzz.npy");
    ATTN_FUZZ_CHECK(attn::npy_decode_u8(attn::npy_encode_u8(raw), "again") == raw,
                    "byte array does not survive a write and a read");
  } catch (const attn::FileError&) {
  }
}

void npz(const std::uint8_t* data, std::size_t size) {
  try {
    const std::map<std::string, std::string> entries = attn::npz_read(bytes_of(data, size), "fuzz.npz");
    ATTN_FUZZ_CHECK(attn::npz_read(attn::npz_write(entries), "again") == entries,
                    "archive does not survive a write and a read");
  } catch (const attn::FileError&) {
  }
}

void weights(const std::uint8_t* data, std::size_t size) {
  attn::MhaWeights w;
  try {
    w = attn::weights_from_npz_bytes(bytes_of(data, size), "fuzz.npz");
  } catch (const attn::FileError&) {
    return;
  }
  const std::size_t I = w.in_proj_weight.shape()[0] / 3, E = w.in_proj_weight.shape()[1];
  ATTN_FUZZ_CHECK(I > 0 && E > 0 && w.in_proj_weight.shape()[0] == 3 * I, "in_proj_weight shape");
  ATTN_FUZZ_CHECK(w.out_proj_weight.shape()[0] == E && w.out_proj_weight.shape()[1] == I, "out_proj.weight shape");
  ATTN_FUZZ_CHECK(w.in_proj_bias.shape()[0] == 3 * I && w.out_proj_bias.shape()[0] == E, "bias shapes");
  for (float v : w.in_proj_weight) ATTN_FUZZ_CHECK(std::isfinite(v), "a non-finite weight was accepted");
  for (float v : w.out_proj_weight) ATTN_FUZZ_CHECK(std::isfinite(v), "a non-finite weight was accepted");
  // What --weights does next: one head as wide as the file's inner width, on a short sentence.
  attn::ModelConfig config;
  config.d_model = static_cast<int>(std::min<std::size_t>(E, 1 << 20));
  config.n_heads = 1;
  config.d_head = static_cast<int>(std::min<std::size_t>(I, 1 << 20));
  for (bool causal : {false, true}) {
    config.causal = causal;
    try {
      attn::check_weights(w, config);
      const attn::SequenceRun run = attn::run("the cat sat on the mat", attn::TokenizerMode::Word, config, w);
      check_attention(run.layer(0), "weights, causal " + std::to_string(causal));
    } catch (const std::invalid_argument&) {  // a width the explorer does not take
    }
  }
}

void checkpoint(const std::uint8_t* data, std::size_t size) {
  attn::Checkpoint ck;
  try {
    ck = attn::checkpoint_from_npz_bytes(bytes_of(data, size), "fuzz.npz");
  } catch (const attn::FileError&) {
    return;
  }
  const attn::Arch& a = ck.model.arch;
  ATTN_FUZZ_CHECK(ck.model.params.size() == ck.model.layout.total, "parameter arena size");
  ATTN_FUZZ_CHECK(static_cast<int>(ck.vocab.size()) == a.vocab_size, "vocabulary size");
  for (float v : ck.model.params) ATTN_FUZZ_CHECK(std::isfinite(v), "a non-finite parameter was accepted");
  ATTN_FUZZ_CHECK(nlohmann::json::parse(attn::checkpoint_meta_json(ck)).at("arch").at("d_model") == a.d_model,
                  "meta JSON");
  (void)model_caption(ck);
  // What --model does next: run the model on a few of its own words and draw every layer.
  std::string text;
  for (std::size_t i = 0; i < ck.vocab.size() && i < 6; ++i) text += ck.vocab[i] + " ";
  try {
    ModelRun run = run_model(ck.model, attn::Vocab(ck.vocab), lower_cases(ck), text);
    // What is drawn must be what was computed: run_model refuses overflowing scores and logits.
    for (const attn::LayerActivations& layer : run.acts.layers)
      for (float s : layer.scores) ATTN_FUZZ_CHECK(std::isfinite(s), "a non-finite attention score was drawn");
    for (float l : run.acts.logits) ATTN_FUZZ_CHECK(std::isfinite(l), "a non-finite logit was shown");
    for (int layer = 0; layer < a.n_layers; ++layer)
      check_attention(run.layer(layer), "checkpoint layer " + std::to_string(layer));
    std::vector<float> grads;
    const float loss = next_token_gradients(ck.model, run, grads);
    ATTN_FUZZ_CHECK(grads.size() == ck.model.layout.total, "gradient size");
    (void)loss;                             // may be infinite for finite but huge parameters; dump reports it as it is
  } catch (const std::invalid_argument&) {  // no words, more than max_seq_len, or weights that overflow
  }
}

void session(const std::uint8_t* data, std::size_t size) {
  // A session may choose the gpt2 tokenizer; the app names its folder at start, so does this.
  static const bool gpt2_folder_set = (attn::set_gpt2_folder(ATTN_SOURCE_DIR "/assets/tokenizers/gpt2"), true);
  (void)gpt2_folder_set;
  AppState state = default_state();
  try {
    session_from_json(bytes_of(data, size), state);
  } catch (const std::invalid_argument&) {
    ATTN_FUZZ_CHECK(session_to_json(state) == session_to_json(default_state()), "a refused file changed the state");
    return;
  }
  // Saved and opened again, an accepted file gives the same file (the first save may replace
  // invalid UTF-8 in the text; after that it is stable).
  const std::string saved = session_to_json(state);
  AppState reopened = default_state();
  session_from_json(saved, reopened);
  ATTN_FUZZ_CHECK(session_to_json(reopened) == saved, "a saved session reads back differently");
  // What the window does next: recompute (never throws; a rejected input keeps an error). The
  // weights file named in the session is not opened: the bytes are the input, not the disk.
  ModelInput input = state.input;
  input.weights_path.clear();
  if (input.config.d_model <= 256 && input.text.size() <= 512) {
    LiveModel live;
    live.update(input);
    if (live.has_run())
      check_attention(live.run().layer(0), "session run");
    else
      ATTN_FUZZ_CHECK(!live.error().empty(), "no run and no message");
  }
}

void config_json(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(bytes_of(data, size), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  attn::ModelConfig config;
  try {
    config_from_json(j, config);
    attn::validate(config);  // only a config the model takes is promised to come back the same
    attn::ModelConfig again;
    config_from_json(config_to_json(config), again);
    ATTN_FUZZ_CHECK(again == config, "config does not survive a write and a read");
  } catch (const std::invalid_argument&) {
  }
  if (!j.is_object()) return;
  // Every key read as every type a session reads: an accepted number fits and keeps its value.
  for (const auto& item : j.items()) {
    if (item.key().find('\0') != std::string::npos) continue;  // not a name a const char* key can say
    const char* key = item.key().c_str();
    const nlohmann::json& v = item.value();
    const auto whole = [&](auto out) {
      try {
        read_json_key(j, key, out);
        ATTN_FUZZ_CHECK(v.is_number() && static_cast<double>(out) == v.get<double>(), std::string("key ") + key);
      } catch (const std::invalid_argument&) {
      }
    };
    whole(int{});
    whole(std::uint64_t{});
    whole(std::int64_t{});
    whole(unsigned{});
    try {
      float f = 0.0f;
      read_json_key(j, key, f);
      ATTN_FUZZ_CHECK(std::isfinite(f), std::string("key ") + key + " as float");
    } catch (const std::invalid_argument&) {
    }
    try {
      double d = 0.0;
      read_json_key(j, key, d);
      ATTN_FUZZ_CHECK(std::isfinite(d), std::string("key ") + key + " as double");
    } catch (const std::invalid_argument&) {
    }
    try {
      bool b = false;
      read_json_key(j, key, b);
    } catch (const std::invalid_argument&) {
    }
    try {
      std::string s;
      read_json_key(j, key, s);
    } catch (const std::invalid_argument&) {
    }
  }
}

void cli(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"attnlab"};
  std::string current;
  bool asks_help = false;
  for (std::size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == '\0' || data[i] == '\n') {
      asks_help = asks_help || current == "--help" || current == "-h";
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  // The window's parser, which reads the model flags too (--help only prints, so it is skipped:
  // the text would flood the fuzzer's log).
  if (!asks_help) {
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    try {
      const auto options = gui::parse_window_options(static_cast<int>(args.size()), argv.data());
      ATTN_FUZZ_CHECK(options.has_value(), "no options without --help");
      ATTN_FUZZ_CHECK(options->width >= 200 && options->height >= 200, "window size");
    } catch (const cli::UsageError&) {
    }
  }
  // The sub-commands' loop over the shared model flags; their own flags are skipped here.
  ModelInput input;
  cli::ArgCursor cursor(std::vector<std::string>(args.begin() + 1, args.end()));
  try {
    while (!cursor.done()) cli::parse_model_flag(cursor.next_flag(), cursor, input);
    const attn::ModelConfig& c = input.config;
    ATTN_FUZZ_CHECK(c.n_heads >= 1 && c.n_heads <= attn::kMaxHeads, "heads out of range");
    ATTN_FUZZ_CHECK(c.d_model >= 1 && c.d_model <= attn::kMaxDModel, "d_model out of range");
    ATTN_FUZZ_CHECK(c.temperature > 0.0f && std::isfinite(c.temperature), "temperature");
  } catch (const cli::UsageError&) {
  }
  // Lists such as bench's --n 8,32,128.
  for (std::size_t i = 1; i < args.size(); ++i) {
    try {
      const std::vector<int> values = cli::parse_int_list("--n", args[i], -5, 100000);
      std::size_t commas = 0;
      for (char ch : args[i]) commas += ch == ',';
      ATTN_FUZZ_CHECK(values.size() == commas + 1, args[i]);
      for (int v : values) ATTN_FUZZ_CHECK(v >= -5 && v <= 100000, args[i]);
    } catch (const cli::UsageError&) {
    }
  }
}

void gpt2(const std::uint8_t* data, std::size_t size) {
  if (size > 0 && data[0] == '{') {
    // config.json: what is accepted is a model the forward can run, and its parameter list is
    // only laid out (never allocated) here.
    attn::Arch a;
    try {
      a = attn::hf_gpt2_arch_from_config(bytes_of(data, size), "config.json");
    } catch (const attn::FileError&) {
      return;
    }
    ATTN_FUZZ_CHECK(a.d_model % a.n_heads == 0 && a.d_head * a.n_heads == a.d_model, "heads split d_model");
    ATTN_FUZZ_CHECK(a.mlp && a.mlp_dim() > 0 && a.learned_positions, "GPT-2's switches");
    try {
      attn::validate_model(a, attn::RunOptions{});
    } catch (const std::invalid_argument& e) {
      ATTN_FUZZ_CHECK(false, e.what());
    }
    const attn::ParamLayout layout = attn::ParamLayout::of(a);
    ATTN_FUZZ_CHECK(layout.find("tok_emb.weight") && (layout.find("unembed.weight") == nullptr) == a.tied_embeddings,
                    "parameter list");
    return;
  }
  // safetensors: every accepted range lies inside the file, back to back, and what converts is
  // finite; the floats allocated are at most the file's own bytes.
  attn::SafetensorsHeader header;
  try {
    header = attn::parse_safetensors_header(data, size, "fuzz.safetensors");
  } catch (const attn::FileError&) {
    return;
  }
  ATTN_FUZZ_CHECK(header.data_start >= 8 && header.data_start <= size, "data start inside the file");
  std::uint64_t at = 0;
  for (const attn::SafeTensorInfo& t : header.tensors) {
    ATTN_FUZZ_CHECK(t.begin == at && t.begin <= t.end && header.data_start + t.end <= size, "tensor range");
    at = t.end;
    ATTN_FUZZ_CHECK(t.count() <= t.end - t.begin || t.end == t.begin, "element count bounded by its bytes");
    std::vector<float> out(t.count());
    try {
      attn::safetensors_to_f32(t, data + header.data_start + t.begin, out.data(), "fuzz.safetensors");
    } catch (const attn::FileError&) {
      continue;
    }
    for (float v : out) ATTN_FUZZ_CHECK(std::isfinite(v), "a non-finite weight was accepted");
  }
  ATTN_FUZZ_CHECK(header.data_start + at == size, "the tensors fill the data part");
}

namespace {

// What every tokenizer must do with any bytes: the pieces tile the text, the ids are in the
// vocabulary, decode(encode(s)) == s, the fast merge equals the reference loop, and every token
// has a readable label.
void check_bpe(const attn::Bpe& bpe, std::string_view text, const std::string& what) {
  std::size_t at = 0;
  attn::pre_split(text, [&](std::string_view piece) {
    ATTN_FUZZ_CHECK(!piece.empty() && piece.data() == text.data() + at, what + ": the pieces do not tile the text");
    at += piece.size();
    if (piece.size() <= 512) {
      std::vector<std::int32_t> fast;
      bpe.encode_piece(piece, fast);
      ATTN_FUZZ_CHECK(fast == bpe.encode_piece_reference(piece), what + ": fast and reference merges differ");
    }
  });
  ATTN_FUZZ_CHECK(at == text.size(), what + ": the pieces do not cover the text");
  const std::vector<std::int32_t> ids = bpe.encode(text);
  for (std::int32_t id : ids) {
    ATTN_FUZZ_CHECK(id >= 0 && static_cast<std::size_t>(id) < bpe.vocab_size(), what + ": id out of range");
    ATTN_FUZZ_CHECK(!attn::token_text(bpe.token_bytes(id)).empty(), what + ": a token without a label");
  }
  ATTN_FUZZ_CHECK(bpe.decode(ids) == text,
                  what + ": decode(encode(s)) != s for " + std::to_string(text.size()) + " bytes");
}

const char* const kBpeSample = "The animal didn't cross the street \xE2\x82 \xFF 42 \xF0\x9F\x99\x82  \n";

}  // namespace

void bpe_files(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = bytes_of(data, size);
  const std::size_t nul = bytes.find('\0');
  const std::string vocab = bytes.substr(0, nul);
  const std::string merges = nul == std::string::npos ? std::string("#version: 0.2\n") : bytes.substr(nul + 1);
  try {
    const attn::Bpe bpe = attn::Bpe::from_gpt2_bytes(vocab, merges, "vocab.json", "merges.txt");
    ATTN_FUZZ_CHECK(bpe.n_merges() < bpe.vocab_size(), "more merges than tokens");
    check_bpe(bpe, kBpeSample, "loaded vocab.json + merges.txt");
    check_bpe(bpe, merges, "loaded vocab.json + merges.txt, on its own merges");
  } catch (const attn::FileError&) {
  }
}

void bpe_json(const std::uint8_t* data, std::size_t size) {
  try {
    const attn::Bpe bpe = attn::Bpe::from_json(bytes_of(data, size), "BPE.json");
    const attn::Bpe again = attn::Bpe::from_json(bpe.to_json(), "again");
    ATTN_FUZZ_CHECK(again.to_json() == bpe.to_json(), "a BPE.json does not survive a write and a read");
    check_bpe(bpe, kBpeSample, "loaded BPE.json");
  } catch (const attn::FileError&) {
  }
}

void bpe_encode(const std::uint8_t* data, std::size_t size) {
  static const attn::Bpe gpt2 = attn::load_bpe(ATTN_SOURCE_DIR "/assets/tokenizers/gpt2");
  check_bpe(gpt2, bytes_of(data, size), "GPT-2");
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all{{"tokenizer", tokenizer},
                                       {"npy", npy},
                                       {"npz", npz},
                                       {"weights", weights},
                                       {"checkpoint", checkpoint},
                                       {"session", session},
                                       {"config_json", config_json},
                                       {"cli", cli},
                                       {"bpe_files", bpe_files},
                                       {"bpe_json", bpe_json},
                                       {"bpe_encode", bpe_encode},
                                       {"gpt2", gpt2}};
  return all;
}

}  // namespace app::fuzz
