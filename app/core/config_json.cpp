// One JSON spelling of the config for every file that carries it.
#include "core/config_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "engine/text/token_text.hpp"

namespace app {

nlohmann::json config_to_json(const attn::ModelConfig& c) {
  return {{"d_model", c.d_model},
          {"n_heads", c.n_heads},
          {"d_head", c.resolved_d_head()},
          {"d_head_auto", c.d_head == 0},
          {"causal", c.causal},
          {"positional", std::string(attn::to_string(c.positional))},
          {"temperature", c.temperature},
          {"seed", c.seed}};
}

bool is_overflowing_number(const std::string& text) {
  if (text.empty() || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) return false;
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isinf(x);
}

std::string quote_overflowing_numbers(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (c == '"') {  // a string, copied whole: its escapes may hide a quote
      std::size_t end = i + 1;
      while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, json.size());
      out.append(json, i, end - i);
      i = end;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i + 1;
      while (end < json.size() && std::strchr("0123456789+-.eE", json[end]) && json[end] != '\0') ++end;
      const std::string literal = json.substr(i, end - i);
      out += is_overflowing_number(literal) ? '"' + literal + '"' : literal;
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

void KeyRefusals::note_unknown_keys(const nlohmann::json& j, std::initializer_list<const char*> known,
                                    const char* where) const {
  if (!m_noted || !j.is_object()) return;
  for (const auto& item : j.items()) {
    bool is_known = false;
    for (const char* k : known) is_known = is_known || item.key() == k;
    if (!is_known) note(std::string("key '") + where + item.key() + "' is not one this attnlab knows");
  }
}

void config_from_json(const nlohmann::json& j, attn::ModelConfig& c, const KeyRefusals& refusals) {
  if (!j.is_object()) throw std::invalid_argument("key 'config' must be a JSON object");
  const char* const where = "config.";
  const auto range = [](const char* name, int lo, int hi) {
    return [=](int v) { attn::check_range(name, v, lo, hi); };
  };
  refusals.take([&] { read_usable_json_key(j, "d_model", c.d_model, where, range("d_model", 1, attn::kMaxDModel)); });
  refusals.take([&] { read_usable_json_key(j, "n_heads", c.n_heads, where, range("n_heads", 1, attn::kMaxHeads)); });
  bool d_head_auto = c.d_head == 0;
  refusals.take([&] { read_json_key(j, "d_head_auto", d_head_auto, where); });
  if (d_head_auto) {
    c.d_head = 0;
  } else {
    refusals.take([&] { read_usable_json_key(j, "d_head", c.d_head, where, range("d_head", 1, attn::kMaxDHead)); });
  }
  refusals.take([&] { read_json_key(j, "causal", c.causal, where); });
  refusals.take([&] { read_usable_json_key(j, "temperature", c.temperature, where, attn::check_temperature); });
  refusals.take([&] { read_json_key(j, "seed", c.seed, where); });
  refusals.take([&] {
    std::string positional(attn::to_string(c.positional));
    read_json_key(j, "positional", positional, where);
    const auto p = attn::parse_positional(positional);
    if (!p) throw std::invalid_argument("key 'config.positional' has unknown value '" + positional + "'");
    c.positional = *p;
  });
  refusals.note_unknown_keys(
      j, {"d_model", "n_heads", "d_head", "d_head_auto", "causal", "positional", "temperature", "seed"}, where);
}

nlohmann::json run_tokens_json(const attn::SequenceRun& run, const ModelInput& input) {
  nlohmann::json tokens = nlohmann::json::array();
  const auto& list = run.tokens();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const attn::Token& t = list[i];
    nlohmann::json token{
        {"index", i}, {"text", attn::token_text(t.text)}, {"start", t.begin}, {"end", t.end}, {"invalid", t.invalid}};
    if (t.id >= 0) token["id"] = t.id;  // a vocabulary id: gpt2 mode only
    tokens.push_back(std::move(token));
  }
  // Invalid UTF-8 in the text is replaced so the JSON stays valid; spans still index the bytes.
  return {
      {"text", input.text},
      {"tokenizer", std::string(attn::to_string(input.tokenizer))},
      {"truncated", run.tokenization.truncated},
      {"total_tokens", run.tokenization.total_tokens},
      {"message", run.tokenization.message},
      {"tokens", tokens},
      {"config", config_to_json(run.config)},
      {"weights", input.weights_path.empty() ? nlohmann::json("seeded-xavier") : nlohmann::json(input.weights_path)}};
}

}  // namespace app
