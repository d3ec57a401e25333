// AdamW exactly as PyTorch 1.13's single-tensor implementation orders its arithmetic, so a run
// here and in tests/tiny_transformer.py agree step by step.
#include "engine/train/adamw.hpp"

#include <algorithm>
#include <cmath>

namespace attn {

float learning_rate(const TrainSettings& s, long long t) {
  if (s.warmup_steps <= 0) return s.lr;
  return static_cast<float>(static_cast<double>(s.lr) *
                            std::min(1.0, static_cast<double>(t) / static_cast<double>(s.warmup_steps)));
}

double gradient_norm(const float* grads, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(grads[i]) * grads[i];
  return std::sqrt(sum);
}

void adamw_update(const ParamLayout& layout, const TrainSettings& s, double norm, float* params, float* grads,
                  AdamW& state) {
  // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
  const double clip = static_cast<double>(s.grad_clip) / (norm + 1e-6);
  if (clip < 1.0) {
    const float c = static_cast<float>(clip);
    for (std::size_t i = 0; i < layout.total; ++i) grads[i] *= c;
  }
  state.t += 1;
  const float lr = learning_rate(s, state.t);
  const float b1 = s.beta1, b2 = s.beta2;
  const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(state.t));
  const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(state.t));
  const float step_size = static_cast<float>(lr / bc1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  for (const ParamTensor& tensor : layout.tensors) {
    const float decay = tensor.decay ? 1.0f - lr * s.weight_decay : 1.0f;
    float* p = params + tensor.offset;
    const float* g = grads + tensor.offset;
    float* m = state.m.data() + tensor.offset;
    float* v = state.v.data() + tensor.offset;
    for (std::size_t i = 0; i < tensor.size; ++i) {
      p[i] *= decay;
      m[i] = m[i] * b1 + g[i] * (1.0f - b1);
      v[i] = v[i] * b2 + g[i] * g[i] * (1.0f - b2);
      const float denom = std::sqrt(v[i]) / bc2_sqrt + s.eps;
      p[i] -= step_size * m[i] / denom;
    }
  }
}

}  // namespace attn
