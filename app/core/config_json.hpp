// JSON forms of the model input, shared by tokens.json (dump) and session files (the window).
#pragma once
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model_input.hpp"
#include "engine/attention.hpp"

namespace app {

nlohmann::json config_to_json(const attn::ModelConfig& config);

// out = j[key] when present; throws std::invalid_argument naming the key for a wrong type.
template <typename T>
void read_json_key(const nlohmann::json& j, const char* key, T& out) {
  if (!j.contains(key)) return;
  try {
    out = j.at(key).get<T>();
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
