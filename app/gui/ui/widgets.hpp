// Small widgets every panel uses: the (?) help marker, color bars, vertical labels, labels
// shortened to a width with the full text on hover, and the wrappers of ImGui widgets and drawn
// text that record themselves in the layout record (--layout), so panels never record by hand.
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

// The widgets panels draw, each recorded in `layout` as it is drawn (what --layout writes for the
// GUI tests: its kind, the text it shows without the "##" id, its box), so no panel records by
// hand. They return what the ImGui widget returns.
// The last ImGui item drawn (a menu title, an input box, a tab) as `kind` showing `text`; framed:
// also cut when the text is wider than its frame. For widgets with no wrapper of their own.
void record_item(LayoutRecord& layout, const char* kind, std::string_view text);
void record_framed(LayoutRecord& layout, const char* kind, std::string_view text);
bool button(LayoutRecord& layout, const char* label, ImVec2 size = ImVec2(0.0f, 0.0f));  // "button"
bool checkbox(LayoutRecord& layout, const char* label, bool* value);                     // "checkbox"
// enum_radio, recorded as "radio".
template <class Enum>
bool radio(LayoutRecord& layout, const char* label, Enum* value, Enum mine) {
  const bool changed = enum_radio(label, value, mine);
  record_item(layout, "radio", label);
  return changed;
}
// A slider recorded as "slider" with the value it shows.
bool slider_int(LayoutRecord& layout, const char* id, int* value, int low, int high, ImGuiSliderFlags flags = 0);
// A slider whose value is shown through `format`, recorded as "slider" with `name`.
bool slider_float(LayoutRecord& layout, const char* name, const char* id, float* value, float low, float high,
                  const char* format, ImGuiSliderFlags flags = 0);
// A slider whose frame shows `shown` (its format), recorded as that text, cut when the frame is
// narrower.
bool slider_int_shown(LayoutRecord& layout, const char* id, int* value, int low, int high, const char* format,
                      const std::string& shown, ImGuiSliderFlags flags = 0);
bool slider_float_shown(LayoutRecord& layout, const char* id, float* value, float low, float high,
                        const std::string& shown);
void progress_bar(LayoutRecord& layout, float fraction, ImVec2 size, const std::string& overlay);  // "progress"
// Text as ImGui lays it out, recorded as `kind`: on one line, greyed, or wrapped at the window's
// edge (or the wrap position pushed).
void text(LayoutRecord& layout, const char* kind, std::string_view text);
void text_disabled(LayoutRecord& layout, const char* kind, std::string_view text);
void text_wrapped(LayoutRecord& layout, const char* kind, std::string_view text);
// A label in line with the framed widget after it ("Tokens", "Layer"), recorded as "label".
void frame_label(LayoutRecord& layout, const char* label);
// A combo box showing `shown`, recorded as "combo" when it ends:
//   if (const Combo combo{layout, "##id", shown}) { ImGui::Selectable ... }
class Combo {
 public:
  Combo(LayoutRecord& layout, const char* id, std::string shown, ImGuiComboFlags flags = 0);
  ~Combo();
  Combo(const Combo&) = delete;
  Combo& operator=(const Combo&) = delete;
  explicit operator bool() const { return m_open; }

 private:
  LayoutRecord& m_layout;
  std::string m_shown;
  bool m_open;
};
// A token chip (`index` from 0) at `min`, `size` large: where --hover-token puts the mouse.
void record_chip(LayoutRecord& layout, int index, ImVec2 min, ImVec2 size);
// The title bar of the current window, recorded as "window_title" (cut when the title is wider).
void record_title_bar(LayoutRecord& layout, std::string_view title);
// A heatmap just drawn in [min, max] of the current window ("attention", "lines", "thumbnail" ...):
// where --click-cell clicks and what the tests measure.
void record_heatmap(LayoutRecord& layout, std::string_view matrix, int head, ImVec2 min, ImVec2 max, int rows, int cols,
                    int layer);
// Text drawn by the app itself at `pos` (a tick, an axis or a plot label), recorded as `kind` with
// its box: CalcTextSize at the current font.
void draw_text(LayoutRecord& layout, ImDrawList* draw_list, const char* kind, ImVec2 pos, ImU32 color,
               std::string_view text);
// The same at font size `px` in a box from `pos` to `right`, `px` high (token labels, chips).
void draw_text(LayoutRecord& layout, ImDrawList* draw_list, const char* kind, ImVec2 pos, ImU32 color,
               std::string_view text, float px, float right);
// The same ending at `top_right` (a row label beside a map), its width measured at `px`.
void draw_text_right(LayoutRecord& layout, ImDrawList* draw_list, const char* kind, ImVec2 top_right, ImU32 color,
                     std::string_view text, float px);
// add_vertical_text, recorded as `kind` with its upright box; returns the text's length.
float draw_vertical_text(LayoutRecord& layout, ImDrawList* draw_list, const char* kind, ImVec2 bottom_left, ImU32 color,
                         std::string_view text, float px);

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
