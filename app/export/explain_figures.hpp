// Figures for teaching one computation: the lines view (BertViz's head view: tokens in two
// columns, a line from each query to each key with its weight as width and opacity, one color
// per head) and the step-through of one query on one page (a handout).
#pragma once
#include "core/model_input.hpp"
#include "engine/explain.hpp"
#include "export/export.hpp"
#include "export/figure.hpp"
#include "export/text_shaper.hpp"

namespace app {

// Every head's lines side by side (head = -1), or one head's. Throws std::invalid_argument.
Figure layout_lines_figure(const attn::LayerView& layer_view, const ModelInput& input, int head,
                           const FigureOptions& options, const TextShaper& shaper);

// Steps 1-8 of explain_query(layer, head, query) with their numbers and bars, on one page.
Figure layout_step_figure(const attn::LayerView& layer_view, const ModelInput& input, int head, int query,
                          const attn::OutProjection& projection, const FigureOptions& options,
                          const TextShaper& shaper);

}  // namespace app
