// Reading a kept forward in place.
#include "engine/model/sequence_run.hpp"

#include <stdexcept>
#include <string>

namespace attn {

LayerView::LayerView(const ModelConfig& c, const Arch& arch, const Tokenization& tokenization, const Activations& acts,
                     int layer)
    : config(c),
      m_arch(&arch),
      m_tokenization(&tokenization),
      m_acts(&acts),
      m_L(&acts.layers.at(static_cast<std::size_t>(layer))),
      m_x(attention_input(acts, layer)),
      m_layer(layer),
      m_n(static_cast<std::size_t>(acts.T)),
      m_E(static_cast<std::size_t>(c.d_model)),
      m_D(static_cast<std::size_t>(c.resolved_d_head())),
      m_I(static_cast<std::size_t>(c.inner_dim())) {
  config.d_head = c.resolved_d_head();
  if (acts.B != 1) throw std::invalid_argument("a layer view is of one sequence, not a batch");
}

LayerView SequenceRun::layer(int layer) const& {
  if (layer < 0 || layer >= n_layers())
    throw std::invalid_argument("layer " + std::to_string(layer + 1) + " does not exist (the model has " +
                                std::to_string(n_layers()) + ")");
  return LayerView(config, arch, tokenization, acts, layer);
}

ModelConfig view_config(const Model& m) {
  ModelConfig c;
  c.d_model = m.arch.d_model;
  c.n_heads = m.arch.n_heads;
  c.d_head = m.arch.d_head;
  c.causal = m.run.causal;
  c.positional = m.run.positional;
  c.temperature = m.run.temperature;
  return c;
}

}  // namespace attn
