// Per-head ranges by value_range() with each tensor's policy from the tensor catalog: weights
// min..max, the signed tensors symmetric so 0 sits at the centre of the diverging colormap.
#include "gui/trace_view.hpp"

#include <cmath>
#include <vector>

#include "core/tensor_catalog.hpp"
#include "engine/text/token_text.hpp"

namespace app::gui {

namespace {

// `causal_square`: (heads, n, n) raw scores of a causal model, whose cells after the diagonal are
// masked and must not stretch the colors of the cells that count.
std::vector<Range> per_head(const xt::xtensor<float, 3>& t, RangePolicy policy, bool causal_square = false) {
  const std::size_t heads = t.shape()[0];
  const std::size_t per = heads ? t.size() / heads : 0;
  const std::size_t cols = t.shape()[2];
  std::vector<Range> ranges(heads);
  std::vector<float> counting;  // a causal head's cells with the masked ones as NaN, which the rule skips
  for (std::size_t h = 0; h < heads; ++h) {
    const float* p = t.data() + h * per;
    if (causal_square && cols > 0) {
      counting.assign(p, p + per);
      for (std::size_t i = 0; i < per; ++i)
        if (i % cols > i / cols) counting[i] = NAN;
      p = counting.data();
    }
    ranges[h] = value_range(p, per, policy);
  }
  return ranges;
}

}  // namespace

TraceView make_trace_view(const attn::Trace& trace) {
  TraceView view;
  const auto policy = [](TensorId id) { return catalog_row(id).range; };
  view.attention = per_head(trace.attn, policy(TensorId::Attn));
  view.scores = per_head(trace.scores, policy(TensorId::Scores), trace.config.causal);
  view.query = per_head(trace.q, policy(TensorId::Q));
  view.key = per_head(trace.k, policy(TensorId::K));
  view.value = per_head(trace.v, policy(TensorId::V));
  view.head_out = per_head(trace.head_out, policy(TensorId::HeadOut));
  for (const attn::Token& t : trace.tokens()) view.token_labels.push_back(attn::token_text(t.text));
  for (int d = 0; d < trace.config.resolved_d_head(); ++d) view.dim_labels.push_back(std::to_string(d + 1));
  return view;
}

}  // namespace app::gui
