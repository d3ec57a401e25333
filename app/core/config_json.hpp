// JSON forms of the model input, shared by tokens.json (dump) and session files (the window).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "core/model_input.hpp"
#include "engine/attention.hpp"

namespace app {

nlohmann::json config_to_json(const attn::ModelConfig& config);

// out = j[key] when present; throws std::invalid_argument naming the key for a wrong type or a
// number that does not fit T (a float beyond uint64's range, 1e300 for a float, 2.5 for an int):
// converting those unchecked is undefined behaviour or silently becomes infinity.
template <typename T>
void read_json_key(const nlohmann::json& j, const char* key, T& out) {
  if (!j.contains(key)) return;
  const nlohmann::json& v = j.at(key);
  const auto refuse = [&](const std::string& why) {
    throw std::invalid_argument(std::string("key '") + key + "' (" + v.dump() + ") " + why);
  };
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (!v.is_number()) refuse("must be a number");
    if constexpr (std::is_integral_v<T>) {
      if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) refuse("is out of range");
      } else if (v.is_number_integer()) {
        const std::int64_t x = v.get<std::int64_t>();
        if (x < 0 && !std::is_signed_v<T>) refuse("must not be negative");
        if (std::is_signed_v<T> && (x < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                                    x > static_cast<std::int64_t>(std::numeric_limits<T>::max())))
          refuse("is out of range");
      } else {  // a float where a whole number belongs: only an exact, representable one
        const double x = v.get<double>();
        if (!std::isfinite(x) || x != std::floor(x)) refuse("must be a whole number");
        if (x < static_cast<double>(std::numeric_limits<T>::lowest()) || x >= std::ldexp(1.0, std::numeric_limits<T>::digits))
          refuse("is out of range");
      }
    } else {
      const double x = v.get<double>();
      if (!std::isfinite(x) || std::fabs(x) > static_cast<double>(std::numeric_limits<T>::max())) refuse("is out of range");
    }
  }
  try {
    out = v.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("key '") + key + "' has the wrong type");
  }
}
// Reads the keys present and leaves the others as they are in `config`. Throws
// std::invalid_argument naming the key for a value of the wrong type or an unknown enum name.
void config_from_json(const nlohmann::json& j, attn::ModelConfig& config);

// {"text": ..., "tokenizer": ..., "truncated": ..., "message": ...,
//  "tokens": [{"index": i, "text": ..., "start": byte, "end": byte, "invalid": bool}], "config": {...}}
nlohmann::json trace_tokens_json(const attn::Trace& trace, const ModelInput& input);

}  // namespace app
