// What the panels need from a layer beyond its tensors: value ranges per head and matrix,
// computed once per new result instead of every frame.
#pragma once
#include <string>
#include <vector>

#include "core/value_range.hpp"
#include "engine/model/sequence_run.hpp"

namespace app::gui {

using Range = ValueRange;  // computed by value_range(), the rule the figures use too

struct LayerRanges {
  std::vector<Range> attention;                    // per head: min..max of the weights
  std::vector<Range> thumbnail;                    // per head: 0..max of the weights (model overview)
  std::vector<Range> scores;                       // per head: symmetric -m..m of the raw scores
  std::vector<Range> query, key, value, head_out;  // per head: symmetric -m..m, m = max |x|
  std::vector<std::string> token_labels;           // the token texts, axis labels of every heatmap
  std::vector<std::string> dim_labels;             // "1" .. "d_head", columns of Q/K/V
};

LayerRanges make_layer_ranges(const attn::LayerView& layer);

}  // namespace app::gui
