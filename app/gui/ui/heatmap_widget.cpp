// Heatmap layout: row labels on the left, column labels reading upwards on top, cells below.
#include "gui/ui/heatmap_widget.hpp"

#include <algorithm>
#include <cmath>

#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

// The labels of both axes at the spec's sizes, room kept for the wider.
LabelSpec label_spec(const UiContext& ctx, const HeatmapSpec& spec) {
  static const std::vector<std::string> kNone;
  LabelSpec labels = token_label_spec(spec.row_labels ? *spec.row_labels : kNone, ctx.scale, spec.small_labels);
  if (spec.col_labels && spec.col_labels != spec.row_labels)
    labels.widest_em =
        std::max(labels.widest_em, token_label_spec(*spec.col_labels, ctx.scale, spec.small_labels).widest_em);
  return labels;
}

// The right-click menu: knock-out in Train mode, then export.
void context_menu(UiContext& ctx, const HeatmapSpec& spec, HeatmapResult& result) {
  if (!ImGui::BeginPopupContextItem("export_menu")) return;
  if (spec.knock_out >= 0) {
    const char* label = spec.knock_out == 0 ? "Knock out this head (output set to 0)" : "Restore this head";
    if (ImGui::MenuItem(label)) result.toggle_knock_out = true;
    ImGui::Separator();
  }
  const char* what = spec.export_what == ExportKind::Qkv ? "Q/K/V of head" : "head";
  ImGui::TextDisabled("Export %s %d", what, spec.head + 1);
  ImGui::Separator();
  const auto item = [&](const char* label, ExportFormat format) {
    if (ImGui::MenuItem(label))
      ctx.requests.export_choice = ExportChoice{spec.export_what, spec.head, format, spec.layer};
  };
  item("Figure as PNG", ExportFormat::Png);
  item("Figure as SVG", ExportFormat::Svg);
  item("Figure as PDF", ExportFormat::Pdf);
  item("Data as CSV", ExportFormat::Csv);
  item("Data as NPY", ExportFormat::Npy);
  ImGui::EndPopup();
}

}  // namespace

float labelled_height(const UiContext& ctx, const HeatmapSpec& spec, float width, float height) {
  if (!spec.row_labels || spec.rows <= 0 || spec.cols <= 0) return height;
  const LabelSpec labels = label_spec(ctx, spec);
  const auto fits = [&](float h) {
    return fit_map(spec.rows, spec.cols, width, h, labels, true, spec.col_labels != nullptr, spec.square_cells)
               .labels ||
           fit_map(spec.rows, spec.cols, width, h, labels, true, false, spec.square_cells).labels;
  };
  if (fits(height)) return height;
  // Every row at the largest label size, with the column labels' room above, is always enough
  // height: if not even that fits, the width is what is short.
  float high = (static_cast<float>(spec.rows) + labels.widest_em + 2.0f) * (labels.max_px + labels.pad + 2.0f);
  if (high <= height || !fits(high)) return height;
  float low = height;
  while (high - low > 1.0f) {
    const float mid = (low + high) * 0.5f;
    (fits(mid) ? high : low) = mid;
  }
  return std::ceil(high);
}

LabelSpec token_label_spec(const std::vector<std::string>& labels, float scale, bool small_labels) {
  LabelSpec spec;
  const float font = ImGui::GetFontSize();
  float widest = 0.0f;
  for (const std::string& l : labels) widest = std::max(widest, ImGui::CalcTextSize(l.c_str()).x);
  spec.widest_em = labels.empty() ? 0.0f : std::max((widest + 1.0f) / font, 0.5f);  // + 1: rounding
  spec.pad = 4.0f * scale;
  spec.max_px = std::floor(font);
  spec.min_px = small_labels ? std::min(12.0f, spec.max_px) : std::max(12.0f, std::floor(font * 0.5f));
  return spec;
}

HeatmapResult heatmap_widget(UiContext& ctx, const HeatmapSpec& spec, ImVec2 size) {
  HeatmapResult result;
  ImGui::PushID(spec.id);
  ImGui::PushID(spec.layer * 64 + spec.head);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("heatmap", ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool item_hovered = ImGui::IsItemHovered();
  result.clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  context_menu(ctx, spec, result);
  if (spec.rows <= 0 || spec.cols <= 0) {
    ImGui::PopID();
    ImGui::PopID();
    return result;
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Room for the labels is kept first, then the cells take the rest: both axes labelled, else the
  // rows alone (a Q/K/V map's many dimensions), else none (the hint line says how to get them).
  const LabelSpec labels = label_spec(ctx, spec);
  MapFit fit = fit_map(spec.rows, spec.cols, size.x, size.y, labels, spec.row_labels != nullptr,
                       spec.col_labels != nullptr, spec.square_cells);
  bool row_labels = spec.row_labels && fit.labels, col_labels = spec.col_labels && fit.labels;
  if (!fit.labels && spec.row_labels && spec.col_labels) {
    fit = fit_map(spec.rows, spec.cols, size.x, size.y, labels, true, false, spec.square_cells);
    row_labels = fit.labels;
  }
  if (!fit.labels) fit = fit_map(spec.rows, spec.cols, size.x, size.y, labels, false, false, spec.square_cells);
  result.labels_hidden = (spec.row_labels && !row_labels) || (spec.col_labels && !col_labels);
  const float label_px = fit.label_px, pad = labels.pad;
  const ImVec2 map_min(origin.x + (row_labels ? fit.room_x : 0.0f), origin.y + (col_labels ? fit.room_y : 0.0f));
  const float cell_w = std::max(fit.cell_w, 1.0f), cell_h = std::max(fit.cell_h, 1.0f);
  const ImVec2 map_max(map_min.x + cell_w * static_cast<float>(spec.cols),
                       map_min.y + cell_h * static_cast<float>(spec.rows));

  // Which cell is under the mouse.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (item_hovered && mouse.x >= map_min.x && mouse.x < map_max.x && mouse.y >= map_min.y && mouse.y < map_max.y) {
    result.hover_row = std::clamp(static_cast<int>((mouse.y - map_min.y) / cell_h), 0, spec.rows - 1);
    result.hover_col = std::clamp(static_cast<int>((mouse.x - map_min.x) / cell_w), 0, spec.cols - 1);
  } else if (item_hovered && row_labels && mouse.x < map_min.x && mouse.y >= map_min.y && mouse.y < map_max.y) {
    const int row = std::clamp(static_cast<int>((mouse.y - map_min.y) / cell_h), 0, spec.rows - 1);
    result.label_row = row;
    ctx.hover_token(row);
    ImGui::SetTooltip("%s %d: %s", spec.row_axis, row + 1, (*spec.row_labels)[static_cast<std::size_t>(row)].c_str());
  } else if (item_hovered && col_labels && spec.columns_are_tokens && mouse.y < map_min.y && mouse.x >= map_min.x &&
             mouse.x < map_max.x) {
    const int col = std::clamp(static_cast<int>((mouse.x - map_min.x) / cell_w), 0, spec.cols - 1);
    ctx.hover_token(col);
    ImGui::SetTooltip("%s %d: %s", spec.col_axis, col + 1, (*spec.col_labels)[static_cast<std::size_t>(col)].c_str());
  }

  gfx::HeatmapStyle style;
  style.colormap = spec.colormap;
  style.range_low = spec.low;
  style.range_high = spec.high;
  style.grid_color = ctx.colors.heat_grid;
  style.highlight_color = ctx.colors.heat_highlight;
  const int token = ctx.state.hovered_token;
  style.highlight_row = result.hover_row >= 0 ? result.hover_row : (token < spec.rows ? token : -1);
  style.highlight_col =
      result.hover_col >= 0 ? result.hover_col : (spec.columns_are_tokens && token < spec.cols ? token : -1);
  ctx.renderer.draw(dl, map_min, map_max, spec.matrix, spec.head, style, spec.layer);
  record_heatmap(ctx.layout, catalog_row(spec.matrix).title, spec.head, map_min, map_max, spec.rows, spec.cols,
                 spec.layer);

  // Raw scores of a causal head: a key after its query is masked (its score becomes -inf before
  // the softmax), so its number must not read as a color that counts. The cells are a neutral
  // grey, hatched along the diagonal, and the tooltip says "masked".
  const bool masked_scores = spec.causal && spec.matrix == TensorId::Scores && spec.rows == spec.cols;
  const auto is_masked = [&](int row, int col) { return masked_scores && col > row; };
  if (masked_scores) {
    const ImU32 fill = IM_COL32(128, 128, 128, 255), hatch = IM_COL32(96, 96, 96, 255);
    for (int r = 0; r + 1 < spec.rows; ++r)
      dl->AddRectFilled(
          ImVec2(map_min.x + cell_w * static_cast<float>(r + 1), map_min.y + cell_h * static_cast<float>(r)),
          ImVec2(map_max.x, map_min.y + cell_h * static_cast<float>(r + 1)), fill);
    // Lines where key - query = c cells: for c >= 1 each lies wholly in masked cells.
    const float spacing = std::max(1.0f, 6.0f * ctx.scale / cell_w);
    const float n = static_cast<float>(spec.cols);
    for (float c = 1.0f; c < n; c += spacing)
      dl->AddLine(ImVec2(map_min.x + cell_w * c, map_min.y), ImVec2(map_max.x, map_min.y + cell_h * (n - c)), hatch,
                  std::max(1.0f, ctx.scale));
  }

  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 strong = IM_COL32(255, 140, 0, 255);
  if (row_labels) {
    for (int r = 0; r < spec.rows; ++r) {
      const std::string label =
          shorten_to_width((*spec.row_labels)[static_cast<std::size_t>(r)], fit.room_x - pad, label_px);
      const float y = map_min.y + cell_h * (static_cast<float>(r) + 0.5f) - label_px * 0.5f;
      draw_text_right(ctx.layout, dl, "row_label", ImVec2(map_min.x - pad, y), r == style.highlight_row ? strong : text,
                      label, label_px);
    }
  }
  if (col_labels) {
    for (int c = 0; c < spec.cols; ++c) {
      const std::string label =
          shorten_to_width((*spec.col_labels)[static_cast<std::size_t>(c)], fit.room_y - pad, label_px);
      const float x = map_min.x + cell_w * (static_cast<float>(c) + 0.5f) - label_px * 0.5f;
      draw_vertical_text(ctx.layout, dl, "column_label", ImVec2(x, map_min.y - pad),
                         c == style.highlight_col ? strong : text, label, label_px);
    }
  }

  // Numbers in the cells, when they fit: the figure a teacher can read from the back row.
  const std::size_t stride = spec.row_stride ? spec.row_stride : static_cast<std::size_t>(spec.cols);
  if (ctx.state.view.show_values && spec.values) {
    const int decimals = 2;
    const float need_w = ImGui::CalcTextSize("0.00").x + 4.0f;
    if (cell_w >= need_w && cell_h >= ImGui::GetFontSize() + 2.0f) {
      for (int r = 0; r < spec.rows; ++r)
        for (int c = 0; c < spec.cols; ++c) {
          if (is_masked(r, c)) continue;  // no number where the score does not count
          const float v = spec.values[static_cast<std::size_t>(r) * stride + static_cast<std::size_t>(c)];
          const float span = spec.high - spec.low;
          const Rgb8 bg = colormap_color(spec.colormap, span > 0.0f ? (v - spec.low) / span : 0.5f);
          const std::string s = format_value(v, decimals);
          const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
          const ImVec2 at(map_min.x + cell_w * static_cast<float>(c) + (cell_w - ts.x) * 0.5f,
                          map_min.y + cell_h * static_cast<float>(r) + (cell_h - ts.y) * 0.5f);
          draw_text(ctx.layout, dl, "cell_value", at, contrast_text(bg), s);
        }
    }
  }

  if (result.hover_row >= 0 && spec.values) {
    const std::size_t i = static_cast<std::size_t>(result.hover_row) * static_cast<std::size_t>(spec.cols) +
                          static_cast<std::size_t>(result.hover_col);  // raw_scores' cell
    const float value =
        spec.values[static_cast<std::size_t>(result.hover_row) * stride + static_cast<std::size_t>(result.hover_col)];
    ImGui::BeginTooltip();
    const std::string row_name = spec.row_labels ? (*spec.row_labels)[static_cast<std::size_t>(result.hover_row)]
                                                 : std::to_string(result.hover_row);
    const std::string col_name = spec.col_labels ? (*spec.col_labels)[static_cast<std::size_t>(result.hover_col)]
                                                 : std::to_string(result.hover_col);
    if (spec.show_layer)
      ImGui::Text("Layer %d, head %d · %s", spec.layer + 1, spec.head + 1, catalog_row(spec.matrix).title);
    else
      ImGui::Text("Head %d · %s", spec.head + 1, catalog_row(spec.matrix).title);
    ImGui::Separator();
    ImGui::Text("%s %d: %s", spec.row_axis, result.hover_row + 1, row_name.c_str());
    ImGui::Text("%s %d: %s", spec.col_axis, result.hover_col + 1, col_name.c_str());
    if (is_masked(result.hover_row, result.hover_col))
      ImGui::Text("score: masked (-inf before the softmax; %s would not count)",
                  format_value(value, spec.decimals).c_str());
    else
      ImGui::Text("%s: %s",
                  spec.matrix == TensorId::Attn     ? "weight"
                  : spec.matrix == TensorId::Scores ? "score"
                                                    : "value",
                  format_value(value, spec.decimals).c_str());
    if (spec.raw_scores) ImGui::Text("raw score: %s", format_value(spec.raw_scores[i], 4).c_str());
    if (spec.causal && result.hover_col > result.hover_row)
      ImGui::TextDisabled("masked: a query may not look at later keys");
    ImGui::EndTooltip();
  }
  ImGui::PopID();
  ImGui::PopID();
  return result;
}

}  // namespace app::gui
