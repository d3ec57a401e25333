// The color bar beside the heads, saying truly whose scale it shows: one head's numbers when one
// head is enlarged or under the mouse, "All heads" on the one 0-1 scale, and with per-head ranges
// and no head in particular, "Each head" with the ends of each head's own range.
#pragma once
#include <string>
#include <vector>

#include <imgui.h>

#include "core/app_state.hpp"
#include "core/colormap.hpp"
#include "gui/layer_ranges.hpp"
#include "gui/ui/ui_context.hpp"

namespace app::gui {

struct ColorLegend {
  bool shown = false;  // the lines view has no color scale (width and opacity are the weight)
  Colormap map = Colormap::Viridis;
  float low = 0.0f, high = 1.0f;
  bool each_head = false;  // per-head ranges, no head in particular: the ends read "min" / "max"
  std::string caption;     // "Head 3", "L2 H1", "All heads", "Each head"
  std::string measure;     // "weight", "raw score", "own range"
  float bar_w = 0.0f, width = 0.0f;
};

// `all_weights` / `all_scores`: the ranges of every head on screen (the legend is as wide as the
// widest of their ticks, so it does not move when another head is hovered); `weight` / `score`:
// the range of the head it is for, or null for no head in particular; `who`: that head's name.
ColorLegend color_legend(const AppState& state, const std::vector<Range>& all_weights,
                         const std::vector<Range>& all_scores, const Range* weight, const Range* score,
                         const std::string& who);
// The caption, the measure under it and the bar, from `origin` down `height` pixels.
void draw_color_legend(UiContext& ctx, const ColorLegend& legend, ImVec2 origin, float height);

}  // namespace app::gui
