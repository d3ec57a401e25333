// Style tables for both themes; sizes are scaled from ImGui's defaults so everything grows together.
// Each switch lists every theme of the table (core/themes.hpp), so -Wswitch names a new one here.
#include "gui/theme.hpp"

namespace app::gui {

namespace {

// Stronger contrast than ImGui's light style: black text, darker frames and borders.
void light_style(ImGuiStyle& style) {
  ImGui::StyleColorsLight(&style);
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = ImVec4(0.0f, 0.0f, 0.0f, 1.0f);
  c[ImGuiCol_TextDisabled] = ImVec4(0.30f, 0.30f, 0.30f, 1.0f);
  c[ImGuiCol_WindowBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  c[ImGuiCol_PopupBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  c[ImGuiCol_Border] = ImVec4(0.0f, 0.0f, 0.0f, 0.55f);
  c[ImGuiCol_FrameBg] = ImVec4(0.90f, 0.90f, 0.92f, 1.0f);
  c[ImGuiCol_MenuBarBg] = ImVec4(0.90f, 0.90f, 0.92f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.82f, 0.86f, 0.95f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.78f, 0.84f, 0.96f, 1.0f);
  c[ImGuiCol_CheckMark] = ImVec4(0.0f, 0.25f, 0.75f, 1.0f);
  c[ImGuiCol_SliderGrab] = ImVec4(0.0f, 0.30f, 0.80f, 1.0f);
  style.FrameBorderSize = 1.0f;
}

void dark_style(ImGuiStyle& style) {
  ImGui::StyleColorsDark(&style);
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.09f, 0.11f, 1.0f);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(0.09f, 0.09f, 0.11f, 1.0f);
}

const Palette kLightPalette{
    IM_COL32(70, 70, 70, 255),    IM_COL32(190, 0, 0, 255),       IM_COL32(150, 90, 0, 255),
    IM_COL32(225, 230, 240, 255), IM_COL32(255, 205, 120, 255),   IM_COL32(255, 200, 200, 255),
    IM_COL32(255, 160, 0, 110),   ImVec4(1.0f, 0.1f, 0.0f, 1.0f), ImVec4(1.0f, 1.0f, 1.0f, 0.35f)};
const Palette kDarkPalette{
    IM_COL32(165, 165, 175, 255), IM_COL32(255, 105, 97, 255),     IM_COL32(255, 190, 80, 255),
    IM_COL32(50, 55, 70, 255),    IM_COL32(200, 120, 20, 255),     IM_COL32(120, 40, 40, 255),
    IM_COL32(255, 170, 0, 100),   ImVec4(1.0f, 0.35f, 0.2f, 1.0f), ImVec4(0.0f, 0.0f, 0.0f, 0.30f)};

}  // namespace

void apply_theme(Theme theme, float scale) {
  ImGuiStyle style;
  switch (theme) {
    case Theme::Light:
      light_style(style);
      break;
    case Theme::Dark:
      dark_style(style);
      break;
  }
  style.WindowRounding = 0.0f;
  style.FrameRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.ItemSpacing = ImVec2(8.0f, 6.0f);
  style.FramePadding = ImVec2(6.0f, 4.0f);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

Palette palette(Theme theme) {
  switch (theme) {
    case Theme::Light:
      return kLightPalette;
    case Theme::Dark:
      return kDarkPalette;
  }
  return kDarkPalette;  // not reached: every theme returns above
}

}  // namespace app::gui
