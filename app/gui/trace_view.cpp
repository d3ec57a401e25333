// Per-head ranges; symmetric ranges keep 0 at the centre of the diverging colormap.
#include "gui/trace_view.hpp"

#include <algorithm>
#include <cmath>

#include "engine/text/token_text.hpp"

namespace app::gui {

namespace {

// `causal_square`: (heads, n, n) raw scores of a causal model, whose cells after the diagonal are
// masked and must not stretch the colours of the cells that count.
std::vector<Range> per_head(const xt::xtensor<float, 3>& t, bool symmetric, bool causal_square = false) {
  const std::size_t heads = t.shape()[0];
  const std::size_t per = heads ? t.size() / heads : 0;
  const std::size_t cols = t.shape()[2];
  std::vector<Range> ranges(heads);
  for (std::size_t h = 0; h < heads; ++h) {
    const float* p = t.data() + h * per;
    float lo = INFINITY, hi = -INFINITY, abs_max = 0.0f;
    for (std::size_t i = 0; i < per; ++i) {
      if (!std::isfinite(p[i]) || (causal_square && cols > 0 && i % cols > i / cols)) continue;
      lo = std::min(lo, p[i]);
      hi = std::max(hi, p[i]);
      abs_max = std::max(abs_max, std::fabs(p[i]));
    }
    if (symmetric) {
      const float m = abs_max > 0.0f ? abs_max : 1.0f;
      ranges[h] = {-m, m};
    } else if (lo <= hi) {
      ranges[h] = {lo, hi > lo ? hi : lo + 1e-6f};
    }
  }
  return ranges;
}

}  // namespace

TraceView make_trace_view(const attn::Trace& trace) {
  TraceView view;
  view.attention = per_head(trace.attn, false);
  view.scores = per_head(trace.scores, true, trace.config.causal);
  view.query = per_head(trace.q, true);
  view.key = per_head(trace.k, true);
  view.value = per_head(trace.v, true);
  view.head_out = per_head(trace.head_out, true);
  for (const attn::Token& t : trace.tokens()) view.token_labels.push_back(attn::token_text(t.text));
  for (int d = 0; d < trace.config.resolved_d_head(); ++d) view.dim_labels.push_back(std::to_string(d + 1));
  return view;
}

}  // namespace app::gui
