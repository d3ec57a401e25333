// Text boxes as ImGui clips them: a vertical cut inside a region that scrolls is scrolling, any
// other cut is text a person cannot read in full.
#include "gui/ui/layout_record.hpp"

#include <imgui_internal.h>

#include <algorithm>

namespace app::gui {

namespace {

// Drops an "##id" suffix: ImGui does not show it.
std::string_view visible_label(std::string_view label) {
  const std::size_t hashes = label.find("##");
  return hashes == std::string_view::npos ? label : label.substr(0, hashes);
}

}  // namespace

void LayoutRecord::text(const char* kind, std::string_view s, ImVec2 min, ImVec2 max) {
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 clip_min = dl->GetClipRectMin(), clip_max = dl->GetClipRectMax();
  const ImVec2 lo(std::max(min.x, clip_min.x), std::max(min.y, clip_min.y));
  const ImVec2 hi(std::min(max.x, clip_max.x), std::min(max.y, clip_max.y));
  if (hi.x <= lo.x || hi.y <= lo.y) return;  // scrolled away or hidden: not on screen
  const float eps = 0.5f;
  const bool cut_x = lo.x > min.x + eps || hi.x < max.x - eps;
  const bool cut_y = lo.y > min.y + eps || hi.y < max.y - eps;
  const bool scrolls_y = !(window->Flags & ImGuiWindowFlags_NoScrollbar) && window->ScrollMax.y > 0.0f;
  texts.push_back({kind, std::string(s), window->RootWindow->Name, lo.x, lo.y, hi.x - lo.x, hi.y - lo.y,
                   cut_x || (cut_y && !scrolls_y)});
}

void LayoutRecord::heatmap(std::string_view matrix, int head, ImVec2 min, ImVec2 max, int rows, int cols, int layer) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  heatmaps.push_back({std::string(matrix), head, min.x, min.y, max.x - min.x, max.y - min.y, rows, cols, layer,
                      dl->GetClipRectMin().y, dl->GetClipRectMax().y});
}

void LayoutRecord::item(const char* kind, std::string_view s) {
  text(kind, visible_label(s), ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void LayoutRecord::title_bar(std::string_view title) {
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  const ImRect bar = window->TitleBarRect();
  const std::string_view shown = visible_label(title);
  const float room = bar.GetWidth() - ImGui::GetStyle().FramePadding.x * 2.0f - ImGui::GetFrameHeight();
  texts.push_back({"window_title", std::string(shown), window->RootWindow->Name, bar.Min.x, bar.Min.y, bar.GetWidth(),
                   bar.GetHeight(), ImGui::CalcTextSize(shown.data(), shown.data() + shown.size()).x > room});
}

void LayoutRecord::framed(const char* kind, std::string_view label) {
  const std::size_t before = texts.size();
  const std::string_view shown = visible_label(label);
  item(kind, shown);
  if (texts.size() == before) return;
  const float room = ImGui::GetItemRectSize().x - ImGui::GetStyle().FramePadding.x * 2.0f;
  if (ImGui::CalcTextSize(shown.data(), shown.data() + shown.size()).x > room + 0.5f) texts.back().cut = true;
}

}  // namespace app::gui
