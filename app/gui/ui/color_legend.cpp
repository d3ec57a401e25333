// The color bar beside the heads. With per-head ranges one bar cannot carry every head's numbers,
// so it names the head whose numbers it shows, or says that each head has its own range.
#include "gui/ui/color_legend.hpp"

#include <algorithm>

#include "core/tensor_catalog.hpp"
#include "gui/commands.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

const char* const kEachHead = "Each head";
const char* const kOwnRange = "own range";
const char* const kScoreEnds[3] = {"+max", "0", "-max"};  // symmetric: 0 stays at the centre
const char* const kWeightEnds[2] = {"max", "min"};

}  // namespace

ColorLegend color_legend(const AppState& state, const std::vector<Range>& all_weights,
                         const std::vector<Range>& all_scores, const Range* weight, const Range* score,
                         const std::string& who) {
  ColorLegend b;
  b.measure = "weight";
  switch (state.view.head_view) {
    case HeadView::Lines:
      return b;  // line width and opacity are the weight
    case HeadView::Scores:
      b.map = tensor_colormap(TensorId::Scores, state.view.colormap);
      b.measure = "raw score";
      if (score) {
        b.low = score->low;
        b.high = score->high;
        b.caption = who;
      } else {
        b.each_head = true;
        b.caption = kEachHead;
      }
      break;
    case HeadView::Weights:
      b.map = tensor_colormap(TensorId::Attn, state.view.colormap);
      switch (state.view.range) {
        case RangeMode::Fixed01:
          b.caption = "All heads";
          break;
        case RangeMode::PerHead:
          if (weight) {
            b.low = weight->low;
            b.high = weight->high;
            b.caption = who;
          } else {
            b.each_head = true;
            b.caption = kEachHead;
            b.measure = kOwnRange;
          }
          break;
      }
      break;
  }
  b.shown = true;
  const float font = ImGui::GetFontSize();
  b.bar_w = font;
  // As wide as the widest thing it may show for any head, so it never moves nor reaches into the
  // heads when the mouse moves from one head to another.
  float ticks = color_bar_label_width(0.0f, 1.0f);
  for (const Range& r : state.view.head_view == HeadView::Scores ? all_scores : all_weights)
    ticks = std::max(ticks, color_bar_label_width(r.low, r.high));
  for (const char* end : kScoreEnds) ticks = std::max(ticks, ImGui::CalcTextSize(end).x + font * 0.6f);
  for (const char* end : kWeightEnds) ticks = std::max(ticks, ImGui::CalcTextSize(end).x + font * 0.6f);
  b.width = std::max({ImGui::CalcTextSize(b.caption.c_str()).x, ImGui::CalcTextSize(kEachHead).x,
                      ImGui::CalcTextSize(who.c_str()).x, ImGui::CalcTextSize(kOwnRange).x,
                      ImGui::CalcTextSize("raw score").x, b.bar_w + 2.0f + ticks}) +
            ImGui::GetStyle().ItemSpacing.x;
  return b;
}

void draw_color_legend(UiContext& ctx, const ColorLegend& b, ImVec2 origin, float height) {
  if (!b.shown) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  draw_text(ctx.layout, dl, "color_bar_title", origin, text, b.caption);
  const ImVec2 below(origin.x, origin.y + font);
  draw_text(ctx.layout, dl, "color_bar_title", below, ImGui::GetColorU32(ImGuiCol_TextDisabled), b.measure);
  // The tick labels reach half a line above the bar's top and below its bottom.
  const float top = origin.y + font * 2.6f;
  const float bottom = origin.y + height - font * 0.5f;
  if (bottom - top < font * 2.0f) return;
  const ImVec2 bar_min(origin.x + 2.0f, top), bar_max(origin.x + 2.0f + b.bar_w, bottom);
  if (!b.each_head) {
    draw_color_bar(dl, bar_min, bar_max, b.map, b.low, b.high, text, 5, &ctx.layout);
  } else {
    draw_color_ramp(dl, bar_min, bar_max, b.map, text);
    const bool scores = b.map == Colormap::Diverging;
    const int n = scores ? 3 : 2;
    for (int i = 0; i < n; ++i) {
      const char* end = scores ? kScoreEnds[i] : kWeightEnds[i];
      const float y = top + (bottom - top) * static_cast<float>(i) / static_cast<float>(n - 1);
      const ImVec2 at(bar_max.x + font * 0.6f, y - font * 0.5f);
      dl->AddLine(ImVec2(bar_max.x, y), ImVec2(bar_max.x + font * 0.25f, y), text);
      draw_text(ctx.layout, dl, "color_bar_tick", at, text, end);
    }
  }
  if (ImGui::IsMouseHoveringRect(origin, ImVec2(origin.x + b.width, origin.y + height))) {
    if (b.each_head && b.map == Colormap::Diverging)
      ImGui::SetTooltip(
          "Each head's colors span its own range of raw scores, -max to +max with 0 in the middle: the same "
          "color means different numbers in different heads. Hover a head to see its numbers here.");
    else if (b.each_head)
      ImGui::SetTooltip(
          "Each head's colors span its own range, from its lowest to its highest weight: the same color means "
          "different numbers in different heads. Hover a head to see its numbers here (its title has them too); "
          "%s puts every head on one 0-1 scale.",
          shortcut_text(Command::ColorRange).c_str());
    else
      ImGui::SetTooltip("The colors of %s: %s from %.3g to %.3g.",
                        b.caption == "All heads" ? "all heads" : b.caption.c_str(), b.measure.c_str(),
                        static_cast<double>(b.low), static_cast<double>(b.high));
  }
}

}  // namespace app::gui
