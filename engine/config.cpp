// Validation of the model's knobs, with the numbers in every message so the UI can show it as is.
#include "engine/config.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace attn {

bool ModelConfig::operator==(const ModelConfig& o) const {
  return d_model == o.d_model && n_heads == o.n_heads && d_head == o.d_head && causal == o.causal &&
         positional == o.positional && temperature == o.temperature && seed == o.seed;
}

void check_range(const char* name, int value, int lo, int hi) {
  if (value < lo || value > hi)
    throw std::invalid_argument(std::string(name) + " (" + std::to_string(value) + ") must be between " +
                                std::to_string(lo) + " and " + std::to_string(hi));
}

void check_temperature(float temperature) {
  char value[32];
  std::snprintf(value, sizeof value, "%g", static_cast<double>(temperature));
  if (!(std::isfinite(temperature) && temperature > 0.0f))
    throw std::invalid_argument(std::string("temperature (") + value + ") must be a finite number > 0");
  // Scores are multiplied by 1 / (sqrt(d_head) * temperature): below this the factor would
  // overflow to infinity and every row would come out as a made-up even spread.
  if (temperature < kMinTemperature || temperature > kMaxTemperature)
    throw std::invalid_argument(std::string("temperature (") + value + ") must be between 1e-06 and 1e+06");
}

void validate(const ModelConfig& c) {
  check_range("d_model", c.d_model, 1, kMaxDModel);
  check_range("n_heads", c.n_heads, 1, kMaxHeads);
  if (c.d_head != 0) check_range("d_head", c.d_head, 1, kMaxDHead);
  if (c.d_head == 0 && c.d_model % c.n_heads != 0)
    throw std::invalid_argument("d_model (" + std::to_string(c.d_model) + ") must be divisible by n_heads (" +
                                std::to_string(c.n_heads) + ")");
  if (c.positional == Positional::Rope && c.resolved_d_head() % 2 != 0)
    throw std::invalid_argument("rotary positions (rope) need an even d_head, got " +
                                std::to_string(c.resolved_d_head()));
  check_temperature(c.temperature);
}

std::string_view to_string(Positional p) {
  switch (p) {
    case Positional::None:
      return "none";
    case Positional::Learned:
      return "learned";
    case Positional::Rope:
      return "rope";
    case Positional::Sinusoidal:
      return "sinusoidal";
  }
  return "sinusoidal";  // not reached: every value returns above
}

std::string_view to_string(TokenizerMode m) {
  switch (m) {
    case TokenizerMode::Word:
      return "word";
    case TokenizerMode::Char:
      return "char";
    case TokenizerMode::Gpt2:
      return "gpt2";
  }
  return "word";
}

std::optional<Positional> parse_positional(std::string_view s) {
  if (s == "none") return Positional::None;
  if (s == "sinusoidal") return Positional::Sinusoidal;
  if (s == "learned") return Positional::Learned;
  if (s == "rope" || s == "rotary") return Positional::Rope;
  return std::nullopt;
}

std::optional<TokenizerMode> parse_tokenizer_mode(std::string_view s) {
  if (s == "word") return TokenizerMode::Word;
  if (s == "char") return TokenizerMode::Char;
  if (s == "gpt2") return TokenizerMode::Gpt2;
  return std::nullopt;
}

}  // namespace attn
