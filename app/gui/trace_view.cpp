// Per-head ranges by tensor_range(), each tensor's policy and causal mask from the tensor catalog:
// weights min..max, the signed tensors symmetric so 0 sits at the centre of the diverging colormap.
#include "gui/trace_view.hpp"

#include <cmath>
#include <vector>

#include "core/tensor_catalog.hpp"
#include "engine/text/token_text.hpp"

namespace app::gui {

namespace {

std::vector<Range> per_head(const xt::xtensor<float, 3>& t, TensorId id, bool causal, bool thumbnail = false) {
  const std::size_t heads = t.shape()[0], rows = t.shape()[1], cols = t.shape()[2];
  std::vector<Range> ranges(heads);
  for (std::size_t h = 0; h < heads; ++h)
    ranges[h] = tensor_range(id, t.data() + h * rows * cols, rows, cols, causal, thumbnail);
  return ranges;
}

}  // namespace

TraceView make_trace_view(const attn::Trace& trace) {
  TraceView view;
  const bool causal = trace.config.causal;
  view.attention = per_head(trace.attn, TensorId::Attn, causal);
  view.thumbnail = per_head(trace.attn, TensorId::Attn, causal, true);
  view.scores = per_head(trace.scores, TensorId::Scores, causal);
  view.query = per_head(trace.q, TensorId::Q, causal);
  view.key = per_head(trace.k, TensorId::K, causal);
  view.value = per_head(trace.v, TensorId::V, causal);
  view.head_out = per_head(trace.head_out, TensorId::HeadOut, causal);
  for (const attn::Token& t : trace.tokens()) view.token_labels.push_back(attn::token_text(t.text));
  for (int d = 0; d < trace.config.resolved_d_head(); ++d) view.dim_labels.push_back(std::to_string(d + 1));
  return view;
}

}  // namespace app::gui
