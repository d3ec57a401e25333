// JSON forms of the model input, shared by tokens.json (dump) and session files (the window).
#pragma once
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_input.hpp"
#include "engine/attention.hpp"

namespace app {

nlohmann::json config_to_json(const attn::ModelConfig& config);

// JSON text with every number literal too large for a double (1e400, a 400-digit integer)
// written as a string instead ("1e400"): nlohmann refuses the whole text over one such number,
// while a reader should refuse only the key that holds it (read_json_key does, as out of range).
std::string quote_overflowing_numbers(const std::string& json);
// Whether `text` is a number literal too large for a double, as quote_overflowing_numbers makes.
bool is_overflowing_number(const std::string& text);

// out = j[key] when present; throws std::invalid_argument naming the key (after `where`, e.g.
// "config.") for a wrong type or a number that does not fit T (a float beyond uint64's range,
// 1e300 for a float, 2.5 for an int): converting those unchecked is undefined behaviour or
// silently becomes infinity. `out` is only assigned when the value is good.
template <typename T>
void read_json_key(const nlohmann::json& j, const char* key, T& out, const char* where = "") {
  if (!j.contains(key)) return;
  const nlohmann::json& v = j.at(key);
  const auto refuse = [&](const std::string& why) {
    throw std::invalid_argument(std::string("key '") + where + key + "' (" + v.dump() + ") " + why);
  };
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (v.is_string() && is_overflowing_number(v.get<std::string>())) refuse("is out of range");
    if (!v.is_number()) refuse("must be a number");
    if constexpr (std::is_integral_v<T>) {
      if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
          refuse("is out of range");
      } else if (v.is_number_integer()) {
        const std::int64_t x = v.get<std::int64_t>();
        if (x < 0 && !std::is_signed_v<T>) refuse("must not be negative");
        if (std::is_signed_v<T> && (x < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                                    x > static_cast<std::int64_t>(std::numeric_limits<T>::max())))
          refuse("is out of range");
      } else {  // a float where a whole number belongs: only an exact, representable one
        const double x = v.get<double>();
        if (!std::isfinite(x) || x != std::floor(x)) refuse("must be a whole number");
        if (x < static_cast<double>(std::numeric_limits<T>::lowest()) ||
            x >= std::ldexp(1.0, std::numeric_limits<T>::digits))
          refuse("is out of range");
      }
    } else {
      const double x = v.get<double>();
      if (!std::isfinite(x) || std::fabs(x) > static_cast<double>(std::numeric_limits<T>::max()))
        refuse("is out of range");
    }
  }
  try {
    out = v.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("key '") + where + key + "' (" + v.dump() + ") has the wrong type");
  }
}

// read_json_key, then `usable(value)`: an engine check that throws std::invalid_argument for a
// value the engine cannot use (attn::check_range, attn::check_temperature); its refusal comes
// back naming the key. `out` changes only when both pass.
template <typename T, typename Check>
void read_usable_json_key(const nlohmann::json& j, const char* key, T& out, const char* where, Check&& usable) {
  if (!j.contains(key)) return;
  T value = out;
  read_json_key(j, key, value, where);
  try {
    usable(value);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("key '") + where + key + "': " + e.what());
  }
  out = value;
}

// What a reader does with a value it refuses: throw (a session file is all or nothing), or note
// it and keep the setting's current value (saved settings keep every value they can).
class KeyRefusals {
 public:
  KeyRefusals() = default;                                                    // throw
  explicit KeyRefusals(std::vector<std::string>& noted) : m_noted(&noted) {}  // note and go on
  // Runs `read`, which reads one setting and throws std::invalid_argument naming its key.
  template <typename Read>
  void take(Read&& read) const {
    if (!m_noted) return read();
    try {
      read();
    } catch (const std::invalid_argument& e) {
      m_noted->push_back(e.what());
    }
  }
  bool noting() const { return m_noted != nullptr; }
  void note(std::string what) const {
    if (m_noted) m_noted->push_back(std::move(what));
  }
  // Notes each key of the object `j` that is not in `known`: the next save would drop it.
  void note_unknown_keys(const nlohmann::json& j, std::initializer_list<const char*> known, const char* where) const;

 private:
  std::vector<std::string>* m_noted = nullptr;
};
// Reads the keys present and leaves the others as they are in `config`. A value of the wrong
// type, an unknown name, or one the engine cannot use (d_model 5000, n_heads 0, a temperature of
// 1e10) is refused naming the key ("key 'config.temperature': ..."), through `refusals`.
// Combinations (d_model not divisible by n_heads) are left to validate(), as in the window.
void config_from_json(const nlohmann::json& j, attn::ModelConfig& config, const KeyRefusals& refusals = {});

// {"text": ..., "tokenizer": ..., "truncated": ..., "message": ...,
//  "tokens": [{"index": i, "text": ..., "start": byte, "end": byte, "invalid": bool}], "config": {...}}
nlohmann::json run_tokens_json(const attn::SequenceRun& run, const ModelInput& input);

}  // namespace app
