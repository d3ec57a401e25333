// Help markers, color bars and rotated text built from ImGui primitives (1.86 has no rotation,
// so vertices are rotated after AddText).
#include "gui/ui/widgets.hpp"

#include <imgui_internal.h>

#include "core/head_colors.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

namespace app::gui {

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void help_marker(LayoutRecord& layout, const char* text) {
  help_marker(text);
  layout.item("help", "(?)");
}

std::string fit_text(std::initializer_list<std::string_view> forms, float max_width) {
  std::string_view last;
  for (std::string_view form : forms) {
    if (ImGui::CalcTextSize(form.data(), form.data() + form.size()).x <= max_width) return std::string(form);
    last = form;
  }
  return shorten_to_width(last, max_width);
}

void text_fitted(LayoutRecord& layout, const char* kind, std::string_view text, bool disabled, float max_width) {
  const std::string shown = shorten_to_width(text, max_width < 0.0f ? ImGui::GetContentRegionAvail().x : max_width);
  if (disabled)
    ImGui::TextDisabled("%s", shown.c_str());
  else
    ImGui::TextUnformatted(shown.c_str());
  layout.item(kind, shown);
  if (shown.size() != text.size() && ImGui::IsItemHovered())
    ImGui::SetTooltip("%.*s", static_cast<int>(text.size()), text.data());
}

void same_line_if_fits(float width) {
  const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  // (a pixel to spare: the clip rectangle may end a fraction of a pixel before the region)
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width + 1.0f <= right_edge) ImGui::SameLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2.0f;
}

void control_label(LayoutRecord& layout, const char* label, const char* help, float label_w) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  layout.item("label", label);
  if (help) help_marker(layout, help);
  const float min_widget = ImGui::GetFontSize() * 5.0f;
  if (ImGui::GetContentRegionAvail().x >= label_w + min_widget) ImGui::SameLine(label_w);
  ImGui::SetNextItemWidth(-FLT_MIN);
}

std::string shorten_to_width(std::string_view text, float max_width) {
  return shorten_to_width(text, max_width, ImGui::GetFontSize());
}

float text_width(std::string_view text, float px) {
  return ImGui::GetFont()->CalcTextSizeA(px, FLT_MAX, 0.0f, text.data(), text.data() + text.size()).x;
}

void add_text(ImDrawList* dl, ImVec2 pos, ImU32 color, std::string_view text, float px) {
  dl->AddText(ImGui::GetFont(), px, pos, color, text.data(), text.data() + text.size());
}

std::string shorten_to_width(std::string_view text, float max_width, float px) {
  if (text_width(text, px) <= max_width) return std::string(text);
  static const char kEllipsis[] = "\xE2\x80\xA6";
  const float budget = max_width - text_width(kEllipsis, px);
  std::size_t cut = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    // Only cut at the start of a UTF-8 sequence.
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0u) == 0x80u) continue;
    if (text_width(text.substr(0, i), px) > budget) break;
    cut = i;
  }
  return std::string(text.substr(0, cut)) + kEllipsis;
}

float add_vertical_text(ImDrawList* dl, ImVec2 bottom_left, ImU32 color, std::string_view text, float px) {
  const int first = dl->VtxBuffer.Size;
  if (px <= 0.0f) px = ImGui::GetFontSize();
  const float length = text_width(text, px);
  // Drawn in place first (ImGui culls text outside the clip rectangle), then turned -90° about
  // the anchor: the text's start stays at bottom_left and the run goes upwards.
  add_text(dl, bottom_left, color, text, px);
  for (int i = first; i < dl->VtxBuffer.Size; ++i) {
    ImDrawVert& v = dl->VtxBuffer[i];
    const float dx = v.pos.x - bottom_left.x, dy = v.pos.y - bottom_left.y;
    v.pos = ImVec2(bottom_left.x + dy, bottom_left.y - dx);
  }
  return length;
}

namespace {
// From the bar to a tick's number: the tick mark, then a third of a line of space, so that the
// mark never reads as a minus sign ("-0.82" for 0.82).
float tick_mark() { return 0.25f * ImGui::GetFontSize(); }
float tick_gap() { return tick_mark() + 0.3f * ImGui::GetFontSize(); }
std::string tick_label(float value, float low, float high) {
  return format_value(value, std::fabs(high - low) < 0.1f ? 3 : 2);
}
}  // namespace

float color_bar_label_width(float low, float high) {
  return std::max(ImGui::CalcTextSize(tick_label(low, low, high).c_str()).x,
                  ImGui::CalcTextSize(tick_label(high, low, high).c_str()).x) +
         tick_gap();
}

void draw_color_ramp(ImDrawList* dl, ImVec2 min, ImVec2 max, Colormap map, ImU32 outline) {
  const auto& lut = colormap_lut(map);
  const int steps = 64;
  const float h = max.y - min.y;
  for (int i = 0; i < steps; ++i) {
    // Top is high, bottom is low.
    const float t0 = 1.0f - static_cast<float>(i) / steps;
    const Rgb8 c = lut[static_cast<std::size_t>(colormap_index(t0 - 0.5f / steps))];
    dl->AddRectFilled(ImVec2(min.x, min.y + h * static_cast<float>(i) / steps),
                      ImVec2(max.x, min.y + h * static_cast<float>(i + 1) / steps + 1.0f),
                      IM_COL32(c.r, c.g, c.b, 255));
  }
  dl->AddRect(min, max, outline);
}

void draw_color_bar(ImDrawList* dl, ImVec2 min, ImVec2 max, Colormap map, float low, float high, ImU32 text_color,
                    int ticks, LayoutRecord* layout) {
  draw_color_ramp(dl, min, max, map, text_color);
  const float h = max.y - min.y;
  // Tick labels a line apart at least, so a short bar never stacks them on each other.
  ticks = std::clamp(1 + static_cast<int>(h / (ImGui::GetFontSize() * 1.05f)), 2, ticks);
  for (int i = 0; i < ticks; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(ticks - 1);
    const float y = max.y - h * t;
    const float value = low + (high - low) * t;
    const std::string label = tick_label(value, low, high);
    dl->AddLine(ImVec2(max.x, y), ImVec2(max.x + tick_mark(), y), text_color);
    const float text_h = ImGui::GetFontSize();
    const ImVec2 at(max.x + tick_gap(), y - text_h * 0.5f);
    if (layout)
      draw_text(*layout, dl, "color_bar_tick", at, text_color, label);
    else
      dl->AddText(at, text_color, label.c_str());
  }
}

ImU32 contrast_text(Rgb8 bg) {
  const float luminance = 0.2126f * bg.r + 0.7152f * bg.g + 0.0722f * bg.b;
  return luminance > 140.0f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
}

std::string format_value(float v, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, static_cast<double>(v));
  if (std::string(buffer) == "-0.00" || std::string(buffer) == "-0.000") return buffer + 1;
  return buffer;
}

ImU32 head_color_u32(int layer, int head, int n_heads) {
  const Rgb8 c = head_color(layer, head, n_heads);
  return IM_COL32(c.r, c.g, c.b, 255);
}

bool colormap_selector(LayoutRecord& layout, const char* id, Colormap* map) {
  const std::string current(colormap_name(*map));
  bool changed = false;
  if (ImGui::BeginCombo(id, current.c_str())) {
    for (const ColormapInfo& c : colormap_table()) {
      if (!c.for_weights) continue;
      const bool selected = c.map == *map;
      if (ImGui::Selectable(std::string(c.name).c_str(), selected) && !selected) {
        *map = c.map;
        changed = true;
      }
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  record_framed(layout, "combo", current);
  return changed;
}

bool button(LayoutRecord& layout, const char* label, ImVec2 size) {
  const bool pressed = ImGui::Button(label, size);
  layout.framed("button", label);
  return pressed;
}

bool checkbox(LayoutRecord& layout, const char* label, bool* value) {
  const bool changed = ImGui::Checkbox(label, value);
  layout.item("checkbox", label);
  return changed;
}

bool slider_int(LayoutRecord& layout, const char* id, int* value, int low, int high, ImGuiSliderFlags flags) {
  const bool changed = ImGui::SliderInt(id, value, low, high, "%d", flags);
  layout.item("slider", std::to_string(*value));
  return changed;
}

bool slider_float(LayoutRecord& layout, const char* name, const char* id, float* value, float low, float high,
                  const char* format, ImGuiSliderFlags flags) {
  const bool changed = ImGui::SliderFloat(id, value, low, high, format, flags);
  layout.item("slider", name);
  return changed;
}

bool slider_int_shown(LayoutRecord& layout, const char* id, int* value, int low, int high, const char* format,
                      const std::string& shown, ImGuiSliderFlags flags) {
  const bool changed = ImGui::SliderInt(id, value, low, high, format, flags);
  layout.framed("slider", shown);
  return changed;
}

bool slider_float_shown(LayoutRecord& layout, const char* id, float* value, float low, float high,
                        const std::string& shown) {
  const bool changed = ImGui::SliderFloat(id, value, low, high, shown.c_str());
  layout.framed("slider", shown);
  return changed;
}

void progress_bar(LayoutRecord& layout, float fraction, ImVec2 size, const std::string& overlay) {
  ImGui::ProgressBar(fraction, size, overlay.c_str());
  layout.framed("progress", overlay);
}

void text(LayoutRecord& layout, const char* kind, std::string_view s) {
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  layout.item(kind, s);
}

void text_disabled(LayoutRecord& layout, const char* kind, std::string_view s) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  text(layout, kind, s);
  ImGui::PopStyleColor();
}

void text_wrapped(LayoutRecord& layout, const char* kind, std::string_view s) {
  // As ImGui::TextWrapped, without its formatting buffer's length limit.
  const bool wrap_here = ImGui::GetCurrentWindow()->DC.TextWrapPos < 0.0f;
  if (wrap_here) ImGui::PushTextWrapPos(0.0f);
  text(layout, kind, s);
  if (wrap_here) ImGui::PopTextWrapPos();
}

void frame_label(LayoutRecord& layout, const char* label) {
  ImGui::AlignTextToFramePadding();
  text(layout, "label", label);
}

Combo::Combo(LayoutRecord& layout, const char* id, std::string shown, ImGuiComboFlags flags)
    : m_layout(layout), m_shown(std::move(shown)), m_open(ImGui::BeginCombo(id, m_shown.c_str(), flags)) {}

Combo::~Combo() {
  if (m_open) ImGui::EndCombo();
  m_layout.framed("combo", m_shown);
}

void record_item(LayoutRecord& layout, const char* kind, std::string_view s) { layout.item(kind, s); }

void record_framed(LayoutRecord& layout, const char* kind, std::string_view s) { layout.framed(kind, s); }

void record_chip(LayoutRecord& layout, int index, ImVec2 min, ImVec2 size) {
  layout.chips.push_back({index, min.x, min.y, size.x, size.y});
}

void record_title_bar(LayoutRecord& layout, std::string_view title) { layout.title_bar(title); }

void record_heatmap(LayoutRecord& layout, std::string_view matrix, int head, ImVec2 min, ImVec2 max, int rows, int cols,
                    int layer) {
  layout.heatmap(matrix, head, min, max, rows, cols, layer);
}

float draw_vertical_text(LayoutRecord& layout, ImDrawList* dl, const char* kind, ImVec2 bottom_left, ImU32 color,
                         std::string_view s, float px) {
  const float length = add_vertical_text(dl, bottom_left, color, s, px);
  layout.text(kind, s, ImVec2(bottom_left.x, bottom_left.y - length), ImVec2(bottom_left.x + px, bottom_left.y));
  return length;
}

void draw_text(LayoutRecord& layout, ImDrawList* dl, const char* kind, ImVec2 pos, ImU32 color, std::string_view s) {
  dl->AddText(pos, color, s.data(), s.data() + s.size());
  const ImVec2 size = ImGui::CalcTextSize(s.data(), s.data() + s.size());
  layout.text(kind, s, pos, ImVec2(pos.x + size.x, pos.y + size.y));
}

void draw_text(LayoutRecord& layout, ImDrawList* dl, const char* kind, ImVec2 pos, ImU32 color, std::string_view s,
               float px, float right) {
  add_text(dl, pos, color, s, px);
  layout.text(kind, s, pos, ImVec2(right, pos.y + px));
}

void draw_text_right(LayoutRecord& layout, ImDrawList* dl, const char* kind, ImVec2 top_right, ImU32 color,
                     std::string_view s, float px) {
  const ImVec2 min(top_right.x - text_width(s, px), top_right.y);
  add_text(dl, min, color, s, px);
  layout.text(kind, s, min, ImVec2(top_right.x, top_right.y + px));
}

}  // namespace app::gui
