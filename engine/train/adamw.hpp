// AdamW with global gradient-norm clipping and linear warm-up: one loop over the parameter list,
// the same arithmetic as torch.optim.AdamW (foreach=False) after clip_grad_norm_.
#pragma once
#include <vector>

#include "engine/model/params.hpp"

namespace attn {

struct AdamW {
  std::vector<float> m, v;  // first and second moments, (layout.total) each
  long long t = 0;          // updates made

  void reset(std::size_t total) {
    m.assign(total, 0.0f);
    v.assign(total, 0.0f);
    t = 0;
  }
};

// The learning rate of update t (1-based): lr * min(1, t / warmup_steps).
float learning_rate(const TrainSettings& settings, long long t);

// The L2 norm of all gradients together (accumulated in double).
double gradient_norm(const float* grads, std::size_t n);

// One update: clips grads (in place) to settings.grad_clip by their global norm `norm`, then
// p -= lr * wd * p (matrices only), moments, bias correction, p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).
void adamw_update(const ParamLayout& layout, const TrainSettings& settings, double norm, float* params, float* grads,
                  AdamW& state);

}  // namespace attn
