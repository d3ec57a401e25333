// The lines view (after BertViz's head view): queries on the left, keys on the right, a line from
// each query to each key whose width and opacity are the weight; hovering a token keeps its lines.
#include <algorithm>
#include <cmath>

#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

HeatmapResult lines_widget(UiContext& ctx, const attn::LayerView& layer_view, int layer, int head, ImU32 color,
                           ImVec2 size, bool small_labels) {
  HeatmapResult result;
  const int n = static_cast<int>(layer_view.n_tokens());
  ImGui::PushID("lines");
  ImGui::PushID(layer * 64 + head);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("lines", ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  result.clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  if (n == 0) {
    ImGui::PopID();
    ImGui::PopID();
    return result;
  }
  const float font = ImGui::GetFontSize();
  const std::vector<std::string>& names = ctx.view.token_labels;
  // Labels first: each token's row is at least as tall as its label, and the labels' room on both
  // sides is kept before the lines get the middle.
  const LabelSpec spec = token_label_spec(names, ctx.scale, small_labels);
  const MapFit fit = fit_map(n, 1, size.x, size.y, spec, true, false, false, LabelSides::LeftAndRight);
  const bool labels = fit.labels && fit.cell_w >= font;
  const float label_px = fit.label_px;
  const float row = std::min(size.y / static_cast<float>(n), font * 1.4f);
  result.labels_hidden = !labels;
  const float label_w = labels ? fit.room_x * 0.5f : font * 0.3f;
  const float left = origin.x + label_w, right = origin.x + size.x - label_w;
  const float top = origin.y + (size.y - row * static_cast<float>(n)) * 0.5f;
  const auto y_of = [&](int i) { return top + row * (static_cast<float>(i) + 0.5f); };

  // Which token the mouse is on: a left label is a query, a right label a key.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  int query = -1, key = -1;
  if (hovered && mouse.y >= top && mouse.y < top + row * static_cast<float>(n)) {
    const int i = std::clamp(static_cast<int>((mouse.y - top) / row), 0, n - 1);
    if (mouse.x < left)
      query = i;
    else if (mouse.x > right)
      key = i;
  }
  if (query < 0 && key < 0 && ctx.state.hovered_token >= 0 && ctx.state.hovered_token < n)
    query = ctx.state.hovered_token;
  if (query >= 0 || key >= 0) ctx.hover_token(query >= 0 ? query : key);
  if (result.clicked && query >= 0) result.label_row = query;

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  const float* w = layer_view.attn(static_cast<std::size_t>(head));
  const ImVec4 c = ImGui::ColorConvertU32ToFloat4(color);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if ((query >= 0 && i != query) || (key >= 0 && j != key)) continue;
      const float weight = w[static_cast<std::size_t>(i) * static_cast<std::size_t>(n) + static_cast<std::size_t>(j)];
      if (weight < 0.01f) continue;
      const ImU32 line = ImGui::GetColorU32(ImVec4(c.x, c.y, c.z, 0.15f + 0.85f * std::min(weight, 1.0f)));
      dl->AddLine(ImVec2(left, y_of(i)), ImVec2(right, y_of(j)), line, (0.5f + 3.5f * weight) * ctx.scale);
    }
  if (labels) {
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), strong = IM_COL32(255, 140, 0, 255);
    for (int i = 0; i < n; ++i) {
      const std::string label = shorten_to_width(names[static_cast<std::size_t>(i)], label_w - spec.pad, label_px);
      const float tw = text_width(label, label_px);
      const ImVec2 q(left - spec.pad * 0.5f - tw, y_of(i) - label_px * 0.5f),
          k(right + spec.pad * 0.5f, y_of(i) - label_px * 0.5f);
      draw_text(ctx.layout, dl, "row_label", q, i == query ? strong : text, label, label_px, q.x + tw);
      draw_text(ctx.layout, dl, "column_label", k, i == key ? strong : text, label, label_px, k.x + tw);
    }
  }
  record_heatmap(ctx.layout, "lines", head, ImVec2(left, top), ImVec2(right, top + row * static_cast<float>(n)), n, n,
                 layer);
  dl->PopClipRect();
  ImGui::PopID();
  ImGui::PopID();
  return result;
}

}  // namespace app::gui
