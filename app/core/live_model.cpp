// Recompute-on-change with a weights cache, so a keystroke costs one forward pass and nothing more.
#include "core/live_model.hpp"

#include <chrono>
#include <exception>

namespace app {

LiveModel::WeightsKey LiveModel::key_of(const ModelInput& input) {
  const attn::ModelConfig& c = input.config;
  return {c.d_model, c.n_heads, c.d_head, c.seed, input.weights_path, input.d_model_given};
}

bool LiveModel::update(const ModelInput& input) {
  if (m_tried && input == m_last_tried) return false;
  m_tried = true;
  m_last_tried = input;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    const WeightsKey key = key_of(input);
    if (!m_have_model || !(key == m_model_key)) {
      m_have_model = false;
      m_model = resolve_model(input);
      m_explorer = attn::explorer_model(m_model.config, m_model.weights);
      m_model_key = key;
      m_have_model = true;
    }
    // Settings that do not shape the weights (mask, positions, temperature) come from the input.
    attn::ModelConfig config = m_model.config;
    config.causal = input.config.causal;
    config.positional = input.config.positional;
    config.temperature = input.config.temperature;
    attn::validate(config);
    m_explorer.run = {config.causal, config.positional, config.temperature};
    m_run = std::make_shared<const attn::SequenceRun>(attn::run(input.text, input.tokenizer, config, m_explorer));
    m_run_input = input;
    m_error.clear();
    ++m_generation;
    ++m_recomputes;
  } catch (const std::exception& e) {
    m_error = e.what();
    m_last_compute_ms = 0.0;
    return false;
  }
  m_last_compute_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return true;
}

}  // namespace app
