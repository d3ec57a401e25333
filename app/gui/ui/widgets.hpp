// Small widgets every panel uses: the (?) help marker, color bars, vertical labels, and labels
// shortened to a width with the full text on hover.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>

#include <imgui.h>

#include "core/colormap.hpp"
#include "gui/ui/layout_record.hpp"

namespace app::gui {

// A greyed "(?)" on the same line; hovering shows `text` wrapped at a readable width.
void help_marker(const char* text);
// The same, recorded in `layout`.
void help_marker(LayoutRecord& layout, const char* text);

// `text` shortened with "…" to fit `max_width` pixels (UTF-8 safe), at the current font size or
// at `px` pixels.
std::string shorten_to_width(std::string_view text, float max_width);
std::string shorten_to_width(std::string_view text, float max_width, float px);
// The width of `text` at font size `px` (token labels are drawn smaller than the UI's text).
float text_width(std::string_view text, float px);
// `text` at font size `px`, its top left at `pos`.
void add_text(ImDrawList* draw_list, ImVec2 pos, ImU32 color, std::string_view text, float px);

// The first of `forms` (longest first) that fits `max_width`; else the last one shortened.
std::string fit_text(std::initializer_list<std::string_view> forms, float max_width);

// Text shortened to `max_width` (< 0: the width left on this line), the full text on hover when
// it was shortened; recorded in `layout` as `kind`.
void text_fitted(LayoutRecord& layout, const char* kind, std::string_view text, bool disabled = false,
                 float max_width = -1.0f);

// Puts the next item on this line when `width` more pixels fit before the window's right edge,
// else on a new line (a toolbar that wraps instead of running off a panel at a large UI scale).
void same_line_if_fits(float width);
// The width of a button showing `label`.
float button_width(const char* label);

// A control's label (and its (?) when `help` is given): the widget that follows goes beside it
// at `label_w` when the panel has room for both, else on the next line; either way it fills the
// rest of the line.
void control_label(LayoutRecord& layout, const char* label, const char* help, float label_w);

// Text drawn rotated 90° counter-clockwise (reading upwards), its baseline's end at `pos`,
// for column labels, at font size `px` (0: the current one). Returns the text's length in pixels.
float add_vertical_text(ImDrawList* draw_list, ImVec2 bottom_left, ImU32 color, std::string_view text, float px = 0.0f);

// The colormap as a vertical ramp in [min, max], high at the top, without labels.
void draw_color_ramp(ImDrawList* draw_list, ImVec2 min, ImVec2 max, Colormap map, ImU32 outline);

// The one colormap selector: a combo of the table's maps for attention weights. Returns true when
// the person picked another map (written to *map).
bool colormap_selector(LayoutRecord& layout, const char* id, Colormap* map);

// A radio button for one value of an enum: selected when *value == mine; a click writes mine.
// Returns true on change. The enum is edited as itself, never through an int.
template <class Enum>
bool enum_radio(const char* label, Enum* value, Enum mine) {
  if (!ImGui::RadioButton(label, *value == mine) || *value == mine) return false;
  *value = mine;
  return true;
}

// A vertical color bar in [min, max] with tick labels for [low, high].
void draw_color_bar(ImDrawList* draw_list, ImVec2 min, ImVec2 max, Colormap map, float low, float high,
                    ImU32 text_color, int ticks = 5, LayoutRecord* layout = nullptr);
// The width the tick labels of a color bar for [low, high] need.
float color_bar_label_width(float low, float high);

// The text color (black or white) that reads best on top of `background`.
ImU32 contrast_text(Rgb8 background);

// The color of head (layer, head) (core/head_colors.hpp) as an ImGui color.
ImU32 head_color_u32(int layer, int head, int n_heads);

// ImGui's "##" ids over our own strings.
std::string format_value(float v, int decimals);

}  // namespace app::gui
