// One color per (layer, head), the same in the window's model view, its curves and the exported
// figures, so a head's heatmap outline and its curve are recognisably the same head.
#pragma once
#include "core/colormap.hpp"

namespace app {

// Hues spread over the heads; later layers a little lighter and less saturated.
Rgb8 head_color(int layer, int head, int n_heads);

}  // namespace app
