// The model's knobs and the single place that decides which combinations are valid.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attn {

enum class Positional { None, Sinusoidal, Learned, Rope };
// Word and Char are the teaching tokenizers; Gpt2 is GPT-2's byte-level BPE (engine/text/bpe.hpp).
enum class TokenizerMode { Word, Char, Gpt2 };

inline constexpr int kMaxDModel = 1024;
inline constexpr int kMaxHeads = 32;
inline constexpr int kMaxDHead = 1024;
inline constexpr float kMinTemperature = 1e-6f, kMaxTemperature = 1e6f;

struct ModelConfig {
  int d_model = 64;
  int n_heads = 4;
  int d_head = 0;  // 0 means auto: d_model / n_heads
  bool causal = false;
  Positional positional = Positional::Sinusoidal;
  float temperature = 1.0f;  // scores are divided by sqrt(d_head) * temperature
  std::uint64_t seed = 42;

  // d_head as used by the math: the explicit value, or d_model / n_heads when auto.
  int resolved_d_head() const { return d_head > 0 ? d_head : (n_heads > 0 ? d_model / n_heads : 0); }
  int inner_dim() const { return n_heads * resolved_d_head(); }  // n_heads * d_head
  bool operator==(const ModelConfig& o) const;
  bool operator!=(const ModelConfig& o) const { return !(*this == o); }
};

// Throws std::invalid_argument naming the numbers, e.g.
// "d_model (30) must be divisible by n_heads (4)". Checks: d_model 1..1024, n_heads 1..32,
// d_head 0 (auto) or 1..1024, auto d_head needs n_heads | d_model, RoPE needs an even d_head,
// temperature finite and > 0.
void validate(const ModelConfig& config);

// The checks validate() is made of, shared with the trainable model's validate():
// "name (value) must be between lo and hi", and a temperature in [1e-6, 1e6].
void check_range(const char* name, int value, int lo, int hi);
void check_temperature(float temperature);

std::string_view to_string(Positional p);     // "none" | "sinusoidal" | "learned" | "rope"
std::string_view to_string(TokenizerMode m);  // "word" | "char" | "gpt2"
std::optional<Positional> parse_positional(std::string_view s);
std::optional<TokenizerMode> parse_tokenizer_mode(std::string_view s);

}  // namespace attn
