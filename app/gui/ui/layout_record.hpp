// Where this frame put its heatmaps, chips and every text, in window pixels: written by --layout
// (layout_file.cpp) so the GUI tests can check what a person sees (cells under the mouse, text
// that collides). The widgets of widgets.hpp fill it as they draw; panels never write it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

namespace app::gui {

struct LayoutRecord {
  // visible_top / visible_bottom: the part of the window it is drawn in that shows (a region that
  // scrolls hides rows, and their labels, beyond it).
  struct Heatmap {
    std::string matrix;
    int head;
    float x, y, w, h;
    int rows, cols;
    int layer = 0;
    float visible_top = 0.0f, visible_bottom = 0.0f;
  };
  // A heatmap just drawn in the current window (its visible part is taken from the clip rectangle).
  void heatmap(std::string_view matrix, int head, ImVec2 min, ImVec2 max, int rows, int cols, int layer);
  struct Chip {
    int index;
    float x, y, w, h;
  };
  // One text as drawn: the visible part of its box (clipped by its scroll region), the ImGui
  // window it belongs to (text in a window on top hides what is below, it does not collide with
  // it), and whether it was cut where the person cannot scroll to the rest.
  struct Text {
    std::string kind, text, window;
    float x, y, w, h;
    bool cut = false;
  };
  std::vector<Heatmap> heatmaps;
  std::vector<Chip> chips;
  std::vector<Text> texts;
  void clear() {
    heatmaps.clear();
    chips.clear();
    texts.clear();
  }

  // A text drawn by the app itself (ImDrawList::AddText) with its full box [min, max], in the
  // current window. Fully clipped texts are not recorded.
  void text(const char* kind, std::string_view text, ImVec2 min, ImVec2 max);
  // The last ImGui item (Text, Button, Checkbox ...) and the text it shows.
  void item(const char* kind, std::string_view text);
  // The title bar of the current window (drawn by ImGui, outside the window's clip rectangle).
  void title_bar(std::string_view title);
  // The last item is a frame with `label` inside (button, progress bar): also cut when the label
  // is wider than the frame.
  void framed(const char* kind, std::string_view label);
};

}  // namespace app::gui
