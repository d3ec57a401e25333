// The two looks: dark for a screen, high-contrast light for a projector in a bright room.
#pragma once
#include <imgui.h>

#include "core/app_state.hpp"

namespace app::gui {

// Resets ImGui's style to `theme` and scales every size by `scale`.
void apply_theme(Theme theme, float scale);

// Colors the panels use beyond ImGui's own.
struct Palette {
  ImU32 text_dim;
  ImU32 error;
  ImU32 warning;
  ImU32 chip;
  ImU32 chip_hovered;
  ImU32 chip_invalid;
  ImU32 token_highlight;  // over the hovered token in the text box
  ImVec4 heat_highlight;  // hovered row/column outline in heatmaps (rgb + mix)
  ImVec4 heat_grid;
};
Palette palette(Theme theme);

}  // namespace app::gui
