// Every layer and head of an opened model at once (BertViz's model view): one thumbnail a head,
// a row a layer, each marked with the pattern it shows most on this sentence. Hover for the
// scores, click to open that head with its labels, Q/K/V and the step-through.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/detector_notes.hpp"
#include "core/tensor_catalog.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void draw_model_overview(UiContext& ctx, ImVec2 size) {
  if (!ctx.hosted || !ctx.hosted->result || !ctx.hosted_views) return;
  const ModelResult& result = *ctx.hosted->result;
  const std::vector<LayerRanges>& views = *ctx.hosted_views;  // made once per result, not per frame
  const int L = result.run.n_layers();
  if (L == 0 || views.size() != static_cast<std::size_t>(L)) return;
  const int H = result.run.config.n_heads;
  const int n = static_cast<int>(result.run.n_tokens());
  const ImGuiStyle& style = ImGui::GetStyle();
  const float em = ImGui::GetFontSize();
  const float start_y = ImGui::GetCursorScreenPos().y;

  // The legend: what the letters mean, on one line (shortened with the full text on hover).
  std::string legend = "Every layer and head on this sentence; a letter marks a head's strongest pattern (score " +
                       std::to_string(static_cast<int>(kOverviewMarkScore * 100.0f)) + "% or more):";
  for (const attn::Detector d : result.detectors.reported)
    legend += std::string("  ") + detector_letter(d) + " " + std::string(attn::to_string(d));
  legend += ".  Click a head to open it.";
  text_fitted(ctx.layout, "label", legend, true);

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float room_h = size.y - (origin.y - start_y);
  const float left = ImGui::CalcTextSize("L00").x + style.ItemSpacing.x;
  const float top = ImGui::GetTextLineHeightWithSpacing();
  const float gap = std::max(2.0f, em * 0.2f);
  const float side =
      std::floor(std::min((size.x - left) / static_cast<float>(H), (room_h - top) / static_cast<float>(L)) - gap);
  if (side < 8.0f) {
    text_fitted(ctx.layout, "error", "The window is too small for every head: enlarge it, or choose a layer.", false);
    return;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  for (int h = 0; h < H; ++h) {
    char label[16];
    std::snprintf(label, sizeof label, "H%d", h + 1);
    const ImVec2 at(
        origin.x + left + static_cast<float>(h) * (side + gap) + (side - ImGui::CalcTextSize(label).x) * 0.5f,
        origin.y);
    ImGui::SetCursorScreenPos(at);
    text_disabled(ctx.layout, "axis", label);
  }
  const bool fixed = ctx.state.view.range == RangeMode::Fixed01;
  int hovered_layer = -1, hovered_head = -1;
  for (int l = 0; l < L; ++l) {
    const float y = origin.y + top + static_cast<float>(l) * (side + gap);
    char label[16];
    std::snprintf(label, sizeof label, "L%d", l + 1);
    ImGui::SetCursorScreenPos(ImVec2(origin.x, y + (side - ImGui::GetTextLineHeight()) * 0.5f));
    text_disabled(ctx.layout, "axis", label);
    for (int h = 0; h < H; ++h) {
      const ImVec2 min(origin.x + left + static_cast<float>(h) * (side + gap), y), max(min.x + side, min.y + side);
      gfx::HeatmapStyle s;
      s.colormap = tensor_colormap(TensorId::Attn, ctx.state.view.colormap);
      // The catalog's thumbnail range (from 0, so that a faint head stays faint beside the others).
      const Range thumb =
          fixed ? Range{0.0f, 1.0f}
                : views[static_cast<std::size_t>(l)].thumbnail(TensorId::Attn)[static_cast<std::size_t>(h)];
      s.range_low = thumb.low;
      s.range_high = thumb.high;
      s.highlight_row = s.highlight_col = ctx.state.hovered_token;  // the hovered token in every head
      s.grid_color = ImVec4(0.0f, 0.0f, 0.0f, 0.0f);                // cells of a few pixels: no grid
      s.highlight_color = ctx.colors.heat_highlight;
      ctx.renderer.draw(dl, min, max, TensorId::Attn, h, s, l);
      record_heatmap(ctx.layout, "thumbnail", h, min, max, n, n, l);
      const StrongestDetector best = strongest_detector(result.detectors, l, h);
      if (best.score >= kOverviewMarkScore && side >= em * 1.5f) {
        const char* mark = detector_letter(best.detector);
        const ImVec2 m = ImGui::CalcTextSize(mark);
        const ImVec2 p(max.x - m.x - 2.0f, min.y + 1.0f);
        dl->AddRectFilled(ImVec2(p.x - 2.0f, p.y), ImVec2(max.x, p.y + m.y), IM_COL32(0, 0, 0, 170), 3.0f);
        dl->AddText(p, IM_COL32(255, 255, 255, 255), mark);
      }
      ImGui::SetCursorScreenPos(min);
      ImGui::PushID(l * 4096 + h);
      if (ImGui::InvisibleButton("##thumb", ImVec2(side, side))) {
        ctx.state.model_layer = l;
        ctx.state.step.layer = l;
        ctx.state.selected_head = h;
        ctx.state.enlarged_head = h;
        ctx.state.model_overview = false;
      }
      if (ImGui::IsItemHovered()) {
        hovered_layer = l;
        hovered_head = h;
        dl->AddRect(min, max, text, 0.0f, 0, 2.0f);
      }
      ImGui::PopID();
    }
  }
  if (hovered_layer >= 0) {
    std::string tip = "Layer " + std::to_string(hovered_layer + 1) + ", head " + std::to_string(hovered_head + 1) +
                      " on this sentence:";
    tip += detector_score_lines(result.detectors, hovered_layer, hovered_head);
    tip += "\nClick to open it with its tokens, Q/K/V and the step-through.";
    ImGui::SetTooltip("%s", tip.c_str());
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + top + static_cast<float>(L) * (side + gap)));
  ImGui::Dummy(ImVec2(size.x, 0.0f));
}

}  // namespace app::gui
