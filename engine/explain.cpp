// The step-through's arithmetic, written out as plainly as the panel shows it.
#include "engine/explain.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {

QueryExplanation explain_query(const LayerView& t, int head, int query, const ExplainOptions& options,
                               const OutProjection& projection) {
  const int n = static_cast<int>(t.n_tokens());
  const int H = t.config.n_heads, D = t.config.resolved_d_head(), E = t.config.d_model, I = H * D;
  if (n == 0) throw std::invalid_argument("there is no token to explain");
  if (head < 0 || head >= H)
    throw std::invalid_argument("head " + std::to_string(head + 1) + " does not exist (" + std::to_string(H) +
                                " heads)");
  if (query < 0 || query >= n)
    throw std::invalid_argument("token " + std::to_string(query + 1) + " does not exist (" + std::to_string(n) +
                                " tokens)");
  const std::size_t un = static_cast<std::size_t>(n), uD = static_cast<std::size_t>(D),
                    uh = static_cast<std::size_t>(head), uq = static_cast<std::size_t>(query);
  QueryExplanation e;
  e.head = head;
  e.query = query;
  e.n_keys = n;
  e.d_head = D;
  e.d_model = E;

  // 1-2. The input row and the head's q, k, v, as the forward pass left them.
  e.x.assign(t.x(uq), t.x(uq) + E);
  e.q.assign(t.q(uh, uq), t.q(uh, uq) + D);
  e.k.resize(un * uD);
  e.v.resize(un * uD);
  for (std::size_t j = 0; j < un; ++j) {
    std::copy(t.k(uh, j), t.k(uh, j) + D, e.k.begin() + static_cast<std::ptrdiff_t>(j * uD));
    std::copy(t.v(uh, j), t.v(uh, j) + D, e.v.begin() + static_cast<std::ptrdiff_t>(j * uD));
  }

  // 3. One dot product per key.
  e.dots.resize(un);
  for (std::size_t j = 0; j < un; ++j) {
    float s = 0.0f;
    for (std::size_t d = 0; d < uD; ++d) s += e.q[d] * e.k[j * uD + d];
    e.dots[j] = s;
  }
  // 4. Divided by sqrt(d_head) * temperature: the forward pass multiplies by the float reciprocal,
  //    and so does this, so the scaled scores are the layer's own to the last bit or two.
  const float temperature = options.temperature > 0.0f ? options.temperature : t.config.temperature;
  const float root = options.scale_by_sqrt_d ? std::sqrt(static_cast<float>(D)) : 1.0f;
  e.divisor = root * temperature;
  const float scale = 1.0f / e.divisor;
  e.scaled.resize(un);
  for (std::size_t j = 0; j < un; ++j) e.scaled[j] = e.dots[j] * scale;

  // 5. The mask: with it, keys after the query are out (weight exactly 0).
  const bool causal = options.mask < 0 ? t.config.causal : options.mask == 1;
  e.masked.assign(un, 0);
  if (causal)
    for (std::size_t j = uq + 1; j < un; ++j) e.masked[j] = 1;

  // 6. Softmax: the maximum subtracted (it cancels in the ratio; it only keeps exp from
  //    overflowing), exp of each, their sum, each divided by the sum.
  e.row_max = -INFINITY;
  for (std::size_t j = 0; j < un; ++j)
    if (!e.masked[j]) e.row_max = std::max(e.row_max, e.scaled[j]);
  e.exps.assign(un, 0.0f);
  double sum = 0.0;
  for (std::size_t j = 0; j < un; ++j) {
    if (e.masked[j]) continue;
    e.exps[j] = static_cast<float>(std::exp(static_cast<double>(e.scaled[j]) - static_cast<double>(e.row_max)));
    sum += static_cast<double>(e.exps[j]);
  }
  e.sum = static_cast<float>(sum);
  e.weights.assign(un, 0.0f);
  for (std::size_t j = 0; j < un; ++j)
    if (!e.masked[j]) e.weights[j] = static_cast<float>(static_cast<double>(e.exps[j]) / sum);

  // 7. Each weight times its value vector, and their sum: this head's output for the query.
  e.weighted.assign(un * uD, 0.0f);
  e.head_out.assign(uD, 0.0f);
  for (std::size_t j = 0; j < un; ++j)
    for (std::size_t d = 0; d < uD; ++d) {
      e.weighted[j * uD + d] = e.weights[j] * e.v[j * uD + d];
      e.head_out[d] += e.weighted[j * uD + d];
    }

  // 8. Every head's output side by side (the others from the layer), then the output projection.
  e.concat.assign(t.concat(uq), t.concat(uq) + I);
  std::copy(e.head_out.begin(), e.head_out.end(), e.concat.begin() + static_cast<std::ptrdiff_t>(uh * uD));
  if (projection.weight) {
    e.out.assign(static_cast<std::size_t>(E), 0.0f);
    for (int o = 0; o < E; ++o) {
      double s = projection.bias ? projection.bias[o] : 0.0;
      for (int c = 0; c < I; ++c)
        s += static_cast<double>(e.concat[static_cast<std::size_t>(c)]) *
             projection.weight[static_cast<std::size_t>(o) * static_cast<std::size_t>(I) + static_cast<std::size_t>(c)];
      e.out[static_cast<std::size_t>(o)] = static_cast<float>(s);
    }
  }
  return e;
}

}  // namespace attn
