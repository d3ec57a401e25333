// One JSON spelling of the config for every file that carries it.
#include "core/config_json.hpp"

#include <stdexcept>

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


void config_from_json(const nlohmann::json& j, attn::ModelConfig& c) {
  if (!j.is_object()) throw std::invalid_argument("config must be a JSON object");
  read_json_key(j, "d_model", c.d_model);
  read_json_key(j, "n_heads", c.n_heads);
  bool d_head_auto = c.d_head == 0;
  read_json_key(j, "d_head_auto", d_head_auto);
  if (d_head_auto) {
    c.d_head = 0;
  } else {
    read_json_key(j, "d_head", c.d_head);
  }
  read_json_key(j, "causal", c.causal);
  read_json_key(j, "temperature", c.temperature);
  read_json_key(j, "seed", c.seed);
  std::string positional(attn::to_string(c.positional));
  read_json_key(j, "positional", positional);
  const auto p = attn::parse_positional(positional);
  if (!p) throw std::invalid_argument("config key 'positional' has unknown value '" + positional + "'");
  c.positional = *p;
}

nlohmann::json trace_tokens_json(const attn::Trace& trace, const ModelInput& input) {
  nlohmann::json tokens = nlohmann::json::array();
  const auto& list = trace.tokens();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const attn::Token& t = list[i];
    tokens.push_back({{"index", i}, {"text", t.text}, {"start", t.begin}, {"end", t.end},
                      {"invalid", t.invalid}});
  }
  // Invalid UTF-8 in the text is replaced so the JSON stays valid; spans still index the bytes.
  return {{"text", input.text},
          {"tokenizer", std::string(attn::to_string(input.tokenizer))},
          {"truncated", trace.tokenization.truncated},
          {"total_tokens", trace.tokenization.total_tokens},
          {"message", trace.tokenization.message},
          {"tokens", tokens},
          {"config", config_to_json(trace.config)},
          {"weights", input.weights_path.empty() ? nlohmann::json("seeded-xavier")
                                                 : nlohmann::json(input.weights_path)}};
}

}  // namespace app
