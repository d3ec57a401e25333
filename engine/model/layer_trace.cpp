// Copies one layer's activations into the (H, n, D) / (H, n, n) layout of attn::Trace.
#include "engine/model/layer_trace.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace attn {

Trace layer_trace(const Model& m, const Activations& acts, int layer, const std::vector<Token>& tokens) {
  if (layer < 0 || layer >= m.arch.n_layers)
    throw std::invalid_argument("layer " + std::to_string(layer + 1) + " does not exist (the model has " +
                                std::to_string(m.arch.n_layers) + ")");
  if (acts.B != 1) throw std::invalid_argument("a layer trace is of one sequence, not a batch");
  const LayerActivations& L = acts.layers[static_cast<std::size_t>(layer)];
  const std::size_t n = static_cast<std::size_t>(acts.T), E = static_cast<std::size_t>(m.arch.d_model),
                    H = static_cast<std::size_t>(m.arch.n_heads), D = static_cast<std::size_t>(m.arch.d_head),
                    I = H * D;
  Trace t;
  t.config.d_model = m.arch.d_model;
  t.config.n_heads = m.arch.n_heads;
  t.config.d_head = m.arch.d_head;
  t.config.causal = m.run.causal;
  t.config.positional = m.run.positional;
  t.config.temperature = m.run.temperature;
  t.tokenization.tokens = tokens;
  t.tokenization.tokens.resize(n);
  t.tokenization.total_tokens = n;
  const auto copy2 = [](xt::xtensor<float, 2>& dst, const float* src, std::size_t rows, std::size_t cols) {
    dst = xt::xtensor<float, 2>::from_shape({rows, cols});
    std::copy(src, src + rows * cols, dst.begin());
  };
  const auto copy3 = [](xt::xtensor<float, 3>& dst, const std::vector<float>& src, std::size_t a, std::size_t b,
                        std::size_t c) {
    dst = xt::xtensor<float, 3>::from_shape({a, b, c});
    std::copy(src.begin(), src.begin() + static_cast<std::ptrdiff_t>(a * b * c), dst.begin());
  };
  copy2(t.x, attention_input(acts, layer), n, E);
  copy2(t.qkv, L.qkv.data(), n, 3 * I);
  copy3(t.scores, L.scores, H, n, n);
  copy3(t.attn, L.attn, H, n, n);
  copy2(t.concat, L.concat.data(), n, I);
  copy2(t.out, L.attn_out.data(), n, E);
  t.q = xt::xtensor<float, 3>::from_shape({H, n, D});
  t.k = xt::xtensor<float, 3>::from_shape({H, n, D});
  t.v = xt::xtensor<float, 3>::from_shape({H, n, D});
  t.head_out = xt::xtensor<float, 3>::from_shape({H, n, D});
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r = 0; r < n; ++r) {
      const float* row = L.qkv.data() + r * 3 * I + h * D;
      std::copy(row, row + D, t.q.data() + (h * n + r) * D);
      std::copy(row + I, row + I + D, t.k.data() + (h * n + r) * D);
      std::copy(row + 2 * I, row + 2 * I + D, t.v.data() + (h * n + r) * D);
      const float* out = L.concat.data() + r * I + h * D;
      std::copy(out, out + D, t.head_out.data() + (h * n + r) * D);
    }
  return t;
}

}  // namespace attn
