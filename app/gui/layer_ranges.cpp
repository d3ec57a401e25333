// Per-head ranges by tensor_range(), each tensor's policy and causal mask from the tensor catalog:
// weights min..max, the signed tensors symmetric so 0 sits at the centre of the diverging colormap.
#include "gui/layer_ranges.hpp"

#include <cmath>
#include <vector>

#include "core/tensor_catalog.hpp"
#include "engine/text/token_text.hpp"

namespace app::gui {

namespace {

// Each head's range of a tensor whose first axis is the heads, read through the catalog.
std::vector<Range> per_head(const attn::LayerView& layer, TensorId id, bool thumbnail = false) {
  const TensorData t = read_tensor(id, layer);
  const std::size_t heads = t.shape[0], rows = t.shape[1], cols = t.shape[2];
  std::vector<Range> ranges(heads);
  for (std::size_t h = 0; h < heads; ++h)
    ranges[h] = tensor_range(id, t.values.data() + h * rows * cols, rows, cols, layer.config.causal, thumbnail);
  return ranges;
}

}  // namespace

LayerRanges make_layer_ranges(const attn::LayerView& layer) {
  LayerRanges view;
  view.attention = per_head(layer, TensorId::Attn);
  view.thumbnail = per_head(layer, TensorId::Attn, true);
  view.scores = per_head(layer, TensorId::Scores);
  view.query = per_head(layer, TensorId::Q);
  view.key = per_head(layer, TensorId::K);
  view.value = per_head(layer, TensorId::V);
  view.head_out = per_head(layer, TensorId::HeadOut);
  for (const attn::Token& t : layer.tokens()) view.token_labels.push_back(attn::token_text(t.text));
  for (int d = 0; d < layer.config.resolved_d_head(); ++d) view.dim_labels.push_back(std::to_string(d + 1));
  return view;
}

}  // namespace app::gui
