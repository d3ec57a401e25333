// Small widgets every panel uses: the (?) help marker, colour bars, vertical labels, and labels
// shortened to a width with the full text on hover.
#pragma once
#include <string>
#include <string_view>

#include <imgui.h>

#include "core/colormap.hpp"

namespace app::gui {

// A greyed "(?)" on the same line; hovering shows `text` wrapped at a readable width.
void help_marker(const char* text);

// `text` shortened with "…" to fit `max_width` pixels (UTF-8 safe).
std::string shorten_to_width(std::string_view text, float max_width);

// Text drawn rotated 90° counter-clockwise (reading upwards), its baseline's end at `pos`,
// for column labels. Returns the text's length in pixels.
float add_vertical_text(ImDrawList* draw_list, ImVec2 bottom_left, ImU32 color, std::string_view text);

// A vertical colour bar in [min, max] with tick labels for [low, high].
void draw_colour_bar(ImDrawList* draw_list, ImVec2 min, ImVec2 max, Colormap map, float low,
                     float high, ImU32 text_color, int ticks = 5);

// The text colour (black or white) that reads best on top of `background`.
ImU32 contrast_text(Rgb8 background);

// The colour of head (layer, head) (core/head_colours.hpp) as an ImGui colour.
ImU32 head_colour_u32(int layer, int head, int n_heads);

// ImGui's "##" ids over our own strings.
std::string format_value(float v, int decimals);

}  // namespace app::gui
