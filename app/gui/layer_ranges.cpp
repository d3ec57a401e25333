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
    if (!row.head) continue;  // not a tensor of heads
    std::vector<Range>& window = ranges.per_head[static_cast<std::size_t>(row.id)];
    std::vector<Range>& thumbnail = ranges.per_head_thumbnail[static_cast<std::size_t>(row.id)];
    for (std::size_t h = 0; h < static_cast<std::size_t>(layer.config.n_heads); ++h) {
      window.push_back(head_range(row.id, layer, h));
      thumbnail.push_back(head_range(row.id, layer, h, true));
    }
  }
  for (const attn::Token& t : layer.tokens()) ranges.token_labels.push_back(attn::token_text(t.text));
  for (int d = 0; d < layer.config.resolved_d_head(); ++d) ranges.dim_labels.push_back(std::to_string(d + 1));
  return ranges;
}

}  // namespace app::gui
