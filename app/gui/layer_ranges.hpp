// What the panels need from a layer beyond its tensors: value ranges per head and matrix,
// computed once per new result instead of every frame.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "core/tensor_catalog.hpp"
#include "core/value_range.hpp"
#include "engine/model/sequence_run.hpp"

namespace app::gui {

using Range = ValueRange;  // computed by value_range(), the rule the figures use too

struct LayerRanges {
  // By TensorId, for every tensor of heads (the catalog's rows whose first axis is the heads):
  // each head's range by the row's policy (weights min..max, the signed tensors symmetric), and
  // by its thumbnail policy (the model overview's, weights 0..max). Empty for other tensors.
  std::array<std::vector<Range>, kTensorCount> per_head, per_head_thumbnail;
  std::vector<std::string> token_labels;  // the token texts, axis labels of every heatmap
  std::vector<std::string> dim_labels;    // "1" .. "d_head", columns of Q/K/V

  const std::vector<Range>& of(TensorId id) const { return per_head[static_cast<std::size_t>(id)]; }
  const std::vector<Range>& thumbnail(TensorId id) const { return per_head_thumbnail[static_cast<std::size_t>(id)]; }
};

LayerRanges make_layer_ranges(const attn::LayerView& layer);

}  // namespace app::gui
