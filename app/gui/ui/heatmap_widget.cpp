// Heatmap layout: row labels on the left, column labels reading upwards on top, cells below.
#include "gui/ui/heatmap_widget.hpp"

#include <algorithm>
#include <cmath>

#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

const char* matrix_name(gfx::Matrix m) {
  switch (m) {
    case gfx::Matrix::Query: return "Q";
    case gfx::Matrix::Key: return "K";
    case gfx::Matrix::Value: return "V";
    case gfx::Matrix::HeadOut: return "head output";
    case gfx::Matrix::Scores: return "raw score";
    default: return "attention";
  }
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
    if (ImGui::MenuItem(label)) ctx.requests.export_choice = ExportChoice{spec.export_what, spec.head, format, spec.layer};
  };
  item("Figure as PNG", ExportFormat::Png);
  item("Figure as SVG", ExportFormat::Svg);
  item("Figure as PDF", ExportFormat::Pdf);
  item("Data as CSV", ExportFormat::Csv);
  item("Data as NPY", ExportFormat::Npy);
  ImGui::EndPopup();
}

}  // namespace

float label_extent(const std::vector<std::string>& labels, float cap) {
  float widest = 0.0f;
  for (const std::string& l : labels) widest = std::max(widest, ImGui::CalcTextSize(l.c_str()).x);
  return std::min(widest, cap);
}

float label_room(const std::vector<std::string>& labels, float scale) {
  return label_extent(labels, 7.0f * ImGui::GetFontSize()) + 4.0f * scale;
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
  const float font = ImGui::GetFontSize();
  const float pad = 4.0f * ctx.scale;
  // Label room: only when cells will be tall/wide enough to carry a label.
  const float row_room = spec.row_labels ? label_room(*spec.row_labels, ctx.scale) : 0.0f;
  const float col_room = spec.col_labels ? label_room(*spec.col_labels, ctx.scale) : 0.0f;
  float avail_w = size.x - row_room, avail_h = size.y - col_room;
  float cell_w = avail_w / static_cast<float>(spec.cols), cell_h = avail_h / static_cast<float>(spec.rows);
  if (spec.square_cells) cell_w = cell_h = std::min(cell_w, cell_h);
  // A label needs a cell as tall as a line of text, else neighbours overlap.
  const bool row_labels = spec.row_labels && std::floor(cell_h) >= font;
  const bool col_labels = spec.col_labels && std::floor(cell_w) >= font;
  result.labels_hidden = (spec.row_labels && !row_labels) || (spec.col_labels && !col_labels);
  const ImVec2 map_min(origin.x + (row_labels ? row_room : 0.0f), origin.y + (col_labels ? col_room : 0.0f));
  if (!row_labels || !col_labels) {  // the unused label room goes to the cells
    avail_w = size.x - (row_labels ? row_room : 0.0f);
    avail_h = size.y - (col_labels ? col_room : 0.0f);
    cell_w = avail_w / static_cast<float>(spec.cols);
    cell_h = avail_h / static_cast<float>(spec.rows);
    if (spec.square_cells) cell_w = cell_h = std::min(cell_w, cell_h);
  }
  cell_w = std::floor(std::max(cell_w, 1.0f));
  cell_h = std::floor(std::max(cell_h, 1.0f));
  const ImVec2 map_max(map_min.x + cell_w * static_cast<float>(spec.cols), map_min.y + cell_h * static_cast<float>(spec.rows));

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
  } else if (item_hovered && col_labels && spec.columns_are_tokens && mouse.y < map_min.y &&
             mouse.x >= map_min.x && mouse.x < map_max.x) {
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
  style.highlight_col = result.hover_col >= 0 ? result.hover_col
                        : (spec.columns_are_tokens && token < spec.cols ? token : -1);
  ctx.renderer.draw(dl, map_min, map_max, spec.matrix, spec.head, style, spec.layer);
  ctx.layout.heatmaps.push_back({matrix_name(spec.matrix), spec.head, map_min.x, map_min.y,
                                 map_max.x - map_min.x, map_max.y - map_min.y, spec.rows, spec.cols, spec.layer});

  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 strong = IM_COL32(255, 140, 0, 255);
  if (row_labels) {
    for (int r = 0; r < spec.rows; ++r) {
      const std::string label = shorten_to_width((*spec.row_labels)[static_cast<std::size_t>(r)], row_room - pad);
      const float w = ImGui::CalcTextSize(label.c_str()).x;
      const float y = map_min.y + cell_h * (static_cast<float>(r) + 0.5f) - font * 0.5f;
      dl->AddText(ImVec2(map_min.x - pad - w, y), r == style.highlight_row ? strong : text, label.c_str());
      ctx.layout.text("row_label", label, ImVec2(map_min.x - pad - w, y), ImVec2(map_min.x - pad, y + font));
    }
  }
  if (col_labels) {
    for (int c = 0; c < spec.cols; ++c) {
      const std::string label = shorten_to_width((*spec.col_labels)[static_cast<std::size_t>(c)], col_room - pad);
      const float x = map_min.x + cell_w * (static_cast<float>(c) + 0.5f) - font * 0.5f;
      const float length = add_vertical_text(dl, ImVec2(x, map_min.y - pad), c == style.highlight_col ? strong : text, label);
      ctx.layout.text("column_label", label, ImVec2(x, map_min.y - pad - length), ImVec2(x + font, map_min.y - pad));
    }
  }

  // Numbers in the cells, when they fit: the figure a teacher can read from the back row.
  if (ctx.state.view.show_values && spec.values) {
    const int decimals = 2;
    const float need_w = ImGui::CalcTextSize("0.00").x + 4.0f;
    if (cell_w >= need_w && cell_h >= font + 2.0f) {
      for (int r = 0; r < spec.rows; ++r)
        for (int c = 0; c < spec.cols; ++c) {
          const float v = spec.values[static_cast<std::size_t>(r) * static_cast<std::size_t>(spec.cols) + static_cast<std::size_t>(c)];
          const float span = spec.high - spec.low;
          const Rgb8 bg = colormap_color(spec.colormap, span > 0.0f ? (v - spec.low) / span : 0.5f);
          const std::string s = format_value(v, decimals);
          const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
          const ImVec2 at(map_min.x + cell_w * static_cast<float>(c) + (cell_w - ts.x) * 0.5f,
                          map_min.y + cell_h * static_cast<float>(r) + (cell_h - ts.y) * 0.5f);
          dl->AddText(at, contrast_text(bg), s.c_str());
          ctx.layout.text("cell_value", s, at, ImVec2(at.x + ts.x, at.y + ts.y));
        }
    }
  }

  if (result.hover_row >= 0 && spec.values) {
    const std::size_t i = static_cast<std::size_t>(result.hover_row) * static_cast<std::size_t>(spec.cols) + static_cast<std::size_t>(result.hover_col);
    ImGui::BeginTooltip();
    const std::string row_name = spec.row_labels ? (*spec.row_labels)[static_cast<std::size_t>(result.hover_row)] : std::to_string(result.hover_row);
    const std::string col_name = spec.col_labels ? (*spec.col_labels)[static_cast<std::size_t>(result.hover_col)] : std::to_string(result.hover_col);
    if (spec.show_layer) ImGui::Text("Layer %d, head %d · %s", spec.layer + 1, spec.head + 1, matrix_name(spec.matrix));
    else ImGui::Text("Head %d · %s", spec.head + 1, matrix_name(spec.matrix));
    ImGui::Separator();
    ImGui::Text("%s %d: %s", spec.row_axis, result.hover_row + 1, row_name.c_str());
    ImGui::Text("%s %d: %s", spec.col_axis, result.hover_col + 1, col_name.c_str());
    ImGui::Text("%s: %s", spec.matrix == gfx::Matrix::Attention ? "weight" : spec.matrix == gfx::Matrix::Scores ? "score" : "value",
                format_value(spec.values[i], spec.decimals).c_str());
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
