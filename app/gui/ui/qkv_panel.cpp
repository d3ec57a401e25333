// The selected head's Q, K and V (token x d_head) and its output, on a diverging map centred on 0.
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/tensor_catalog.hpp"
#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void draw_qkv_panel(UiContext& ctx, ImVec2 size, int selected_head) {
  if (!ctx.shown || ctx.shown->n_tokens() == 0) return;
  const attn::LayerView& layer_view = *ctx.shown;
  const int head = std::clamp(selected_head, 0, layer_view.config.n_heads - 1);
  const std::size_t n = layer_view.n_tokens();
  const std::size_t d = static_cast<std::size_t>(layer_view.config.resolved_d_head());
  const float font = ImGui::GetFontSize();

  char heading[128];
  std::snprintf(heading, sizeof heading, "Head %d:  Q = x·W_q   K = x·W_k   V = x·W_v   output = attention · V",
                head + 1);
  const std::string shown = fit_text({heading, "Head " + std::to_string(head + 1) + ": Q, K, V and output"},
                                     size.x - ImGui::CalcTextSize(" (?)").x - ImGui::GetStyle().ItemSpacing.x * 2.0f);
  text(ctx.layout, "qkv_title", shown);
  help_marker(ctx.layout,
              "Each row is a token, each column one of the head's d_head dimensions. Blue is negative, "
              "red positive, white zero; each matrix has its own symmetric range (see its scale). "
              "The attention weight of query i on key j is softmax over j of (Q_i · K_j) / sqrt(d_head). "
              "Click a head above to choose which head is shown here.");
  const float view_h = std::max(size.y - font * 1.8f, font * 4.0f);  // the room below the heading
  const float bar_w = font * 4.0f;
  float each_w = (size.x - 4.0f * bar_w) / 4.0f;

  struct Part {
    const char* id;
    const char* title;
    const char* short_title;
    TensorId matrix;  // its values, textures, colormap and title are the catalog's
  };
  const Part parts[] = {{"q", "Q (queries)", "Q", TensorId::Q},
                        {"k", "K (keys)", "K", TensorId::K},
                        {"v", "V (values)", "V", TensorId::V},
                        {"o", "Output (attention · V)", "Output", TensorId::HeadOut}};
  const auto spec_of = [&](const Part& part) {
    const Range range = ctx.view.of(part.matrix)[static_cast<std::size_t>(head)];
    HeatmapSpec spec;
    spec.id = part.id;
    spec.matrix = part.matrix;
    spec.layer = ctx.layer;
    spec.head = head;
    spec.rows = static_cast<int>(n);
    spec.cols = static_cast<int>(d);
    const HeadMatrix values = head_matrix(part.matrix, layer_view, static_cast<std::size_t>(head));
    spec.values = values.first;
    spec.row_stride = values.stride;
    spec.row_labels = &ctx.view.token_labels;
    spec.col_labels = &ctx.view.dim_labels;
    spec.row_axis = "token";
    spec.col_axis = "dimension";
    spec.colormap = tensor_colormap(part.matrix, ctx.state.view.colormap);
    spec.low = range.low;
    spec.high = range.high;
    spec.columns_are_tokens = false;
    spec.square_cells = false;
    spec.export_what = ExportKind::Qkv;
    return spec;
  };
  // The maps keep their token labels: when the room is too low for them, the maps take the height
  // the labels need and the panel scrolls (a map nobody can read by token teaches nothing).
  float map_h = view_h - font * 1.2f;
  const bool scroll = labelled_height(ctx, spec_of(parts[0]), each_w - font * 0.5f, map_h) > map_h;
  if (scroll) {
    each_w -= ImGui::GetStyle().ScrollbarSize / 4.0f;
    map_h = labelled_height(ctx, spec_of(parts[0]), each_w - font * 0.5f, map_h);
    ImGui::BeginChild("qkv_maps", ImVec2(size.x, view_h), false);
  }
  const float content_h = map_h + font * 1.2f;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  for (int i = 0; i < 4; ++i) {
    const Part& part = parts[i];
    const ImVec2 p(origin.x + (each_w + bar_w) * static_cast<float>(i), origin.y);
    ImGui::SetCursorScreenPos(p);
    const std::string title =
        fit_text({part.title, part.short_title}, each_w + bar_w - ImGui::GetStyle().ItemSpacing.x);
    gui::text(ctx.layout, "qkv_title", title);
    if (title != part.title && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", part.title);
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + font * 1.3f));
    const HeatmapSpec spec = spec_of(part);
    const ImVec2 map_origin = ImGui::GetCursorScreenPos();
    heatmap_widget(ctx, spec, ImVec2(each_w - font * 0.5f, map_h));
    const float bar_top = map_origin.y + font;
    draw_color_bar(dl, ImVec2(p.x + each_w, bar_top),
                   ImVec2(p.x + each_w + font * 0.8f, map_origin.y + content_h - font * 2.0f), spec.colormap, spec.low,
                   spec.high, text, 3, &ctx.layout);
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + content_h));
  ImGui::Dummy(ImVec2(size.x, 0.0f));
  if (scroll) ImGui::EndChild();
}

}  // namespace app::gui
