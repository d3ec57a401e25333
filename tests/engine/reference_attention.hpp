// The oracle: multi-head attention as the textbook writes it, in plain loops and doubles, sharing
// no code with the fast path except the config's meaning.
#pragma once
#include <cmath>
#include <vector>

#include "engine/attention.hpp"

namespace reference {

struct Result {
  std::vector<double> q, k, v;  // (H, n, D)
  std::vector<double> scores;   // (H, n, n)
  std::vector<double> attn;     // (H, n, n)
  std::vector<double> out;      // (n, E)
};

inline Result attention(const xt::xtensor<float, 2>& x, const attn::MhaWeights& w, const attn::ModelConfig& c) {
  const std::size_t n = x.shape()[0], E = static_cast<std::size_t>(c.d_model), H = static_cast<std::size_t>(c.n_heads),
                    D = static_cast<std::size_t>(c.resolved_d_head()), I = H * D;
  Result r;
  r.q.assign(H * n * D, 0.0);
  r.k.assign(H * n * D, 0.0);
  r.v.assign(H * n * D, 0.0);
  // Projections: row (part*I + h*D + d) of in_proj_weight makes dimension d of head h.
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t d = 0; d < D; ++d) {
        double acc[3];
        for (std::size_t part = 0; part < 3; ++part) {
          const std::size_t row = part * I + h * D + d;
          acc[part] = w.in_proj_bias(row);
          for (std::size_t e = 0; e < E; ++e) acc[part] += double(w.in_proj_weight(row, e)) * double(x(t, e));
        }
        r.q[(h * n + t) * D + d] = acc[0];
        r.k[(h * n + t) * D + d] = acc[1];
        r.v[(h * n + t) * D + d] = acc[2];
      }
  if (c.positional == attn::Positional::Rope) {
    for (std::vector<double>* m : {&r.q, &r.k})
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t t = 0; t < n; ++t)
          for (std::size_t i = 0; i < D / 2; ++i) {
            const double angle = double(t) * std::pow(10000.0, -2.0 * double(i) / double(D));
            double& a = (*m)[(h * n + t) * D + 2 * i];
            double& b = (*m)[(h * n + t) * D + 2 * i + 1];
            const double a0 = a, b0 = b;
            a = a0 * std::cos(angle) - b0 * std::sin(angle);
            b = a0 * std::sin(angle) + b0 * std::cos(angle);
          }
  }
  r.scores.assign(H * n * n, 0.0);
  r.attn.assign(H * n * n, 0.0);
  std::vector<double> head_out(H * n * D, 0.0);
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t i = 0; i < n; ++i) {
      double max = -INFINITY;
      for (std::size_t j = 0; j < n; ++j) {
        double dot = 0.0;
        for (std::size_t d = 0; d < D; ++d) dot += r.q[(h * n + i) * D + d] * r.k[(h * n + j) * D + d];
        const double s = dot / (std::sqrt(double(D)) * double(c.temperature));
        r.scores[(h * n + i) * n + j] = s;
        if (!(c.causal && j > i)) max = std::max(max, s);
      }
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        const double e = (c.causal && j > i) ? 0.0 : std::exp(r.scores[(h * n + i) * n + j] - max);
        r.attn[(h * n + i) * n + j] = e;
        sum += e;
      }
      for (std::size_t j = 0; j < n; ++j) r.attn[(h * n + i) * n + j] /= sum;
      for (std::size_t d = 0; d < D; ++d) {
        double acc = 0.0;
        for (std::size_t j = 0; j < n; ++j) acc += r.attn[(h * n + i) * n + j] * r.v[(h * n + j) * D + d];
        head_out[(h * n + i) * D + d] = acc;
      }
    }
  r.out.assign(n * E, 0.0);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t e = 0; e < E; ++e) {
      double acc = w.out_proj_bias(e);
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t d = 0; d < D; ++d)
          acc += double(w.out_proj_weight(e, h * D + d)) * head_out[(h * n + t) * D + d];
      r.out[t * E + e] = acc;
    }
  return r;
}

}  // namespace reference
