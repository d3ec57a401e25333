// Figure layout: one layer of a run (all heads, one head, or one head's Q/K/V) as a display list with a
// title, token labels, axis titles ("query" down the rows, "key" across the columns), cells,
// in-cell values and color bars, sized so no label is clipped.
#pragma once
#include "core/model_input.hpp"
#include "export/export.hpp"
#include "export/figure.hpp"
#include "export/figure_builder.hpp"
#include "export/text_shaper.hpp"

namespace app {

// Throws std::invalid_argument for a head that does not exist or a layer with no tokens.
Figure layout_figure(const attn::LayerView& layer_view, const ModelInput& input, ExportKind kind, int head,
                     const FigureOptions& options, const TextShaper& shaper);

// The text under the title: "d_model 64 · 4 heads · d_head 16 · sinusoidal · causal · T 1 · seed 42".
std::string config_caption(const attn::LayerView& layer_view, const ModelInput& input);

}  // namespace app
