// Per-head ranges of every tensor of heads the catalog lists, by tensor_range() (the row's policy
// and causal mask): weights min..max, the signed tensors symmetric so 0 sits at the centre of the
// diverging colormap.
#include "gui/layer_ranges.hpp"

#include <vector>

#include "core/tensor_catalog.hpp"
#include "engine/text/token_text.hpp"

namespace app::gui {

LayerRanges make_layer_ranges(const attn::LayerView& layer) {
  LayerRanges ranges;
  for (const TensorRow& row : tensor_catalog()) {
    if (row.axes.front() != Axis::Heads) continue;
    const TensorData t = read_tensor(row.id, layer);
    const std::size_t heads = t.shape[0], rows = t.shape[1], cols = t.shape[2];
    std::vector<Range>& window = ranges.per_head[static_cast<std::size_t>(row.id)];
    std::vector<Range>& thumbnail = ranges.per_head_thumbnail[static_cast<std::size_t>(row.id)];
    for (std::size_t h = 0; h < heads; ++h) {
      const float* matrix = t.values.data() + h * rows * cols;
      window.push_back(tensor_range(row.id, matrix, rows, cols, layer.config.causal));
      thumbnail.push_back(tensor_range(row.id, matrix, rows, cols, layer.config.causal, true));
    }
  }
  for (const attn::Token& t : layer.tokens()) ranges.token_labels.push_back(attn::token_text(t.text));
  for (int d = 0; d < layer.config.resolved_d_head(); ++d) ranges.dim_labels.push_back(std::to_string(d + 1));
  return ranges;
}

}  // namespace app::gui
