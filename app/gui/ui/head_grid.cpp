// The head grid: one attention heatmap per head, reflowed to the space it has, a colour bar, and
// a click to enlarge a head (Esc or the button to go back).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

AttentionColours attention_colours(const UiContext& ctx, int head) {
  if (ctx.state.view.range == RangeMode::Fixed01 || head < 0 ||
      head >= static_cast<int>(ctx.view.attention.size()))
    return {ctx.state.view.colormap, 0.0f, 1.0f};
  const Range r = ctx.view.attention[static_cast<std::size_t>(head)];
  return {ctx.state.view.colormap, r.low, r.high};
}

namespace {

HeatmapSpec attention_spec(const UiContext& ctx, int head) {
  const attn::Trace& trace = *ctx.trace;
  const std::size_t n = trace.n_tokens();
  const AttentionColours colours = attention_colours(ctx, head);
  HeatmapSpec spec;
  spec.id = "attention";
  spec.matrix = gfx::Matrix::Attention;
  spec.layer = ctx.layer;
  spec.head = head;
  spec.rows = spec.cols = static_cast<int>(n);
  spec.values = trace.attn.data() + static_cast<std::size_t>(head) * n * n;
  spec.raw_scores = trace.scores.data() + static_cast<std::size_t>(head) * n * n;
  spec.row_labels = spec.col_labels = &ctx.view.token_labels;
  spec.colormap = colours.map;
  spec.low = colours.low;
  spec.high = colours.high;
  spec.causal = trace.config.causal;
  spec.export_what = ExportKind::Head;
  if (ctx.state.view.head_view == HeadView::Scores) {  // raw scores on the diverging map, 0 at the centre
    const Range r = ctx.view.scores[static_cast<std::size_t>(head)];
    spec.id = "scores";
    spec.matrix = gfx::Matrix::Scores;
    spec.values = spec.raw_scores;
    spec.colormap = Colormap::Diverging;
    spec.low = r.low;
    spec.high = r.high;
  }
  return spec;
}

// The heatmap, or the lines of the head when that view is chosen.
HeatmapResult head_widget(UiContext& ctx, int head, ImVec2 size) {
  if (ctx.state.view.head_view == HeadView::Lines)
    return lines_widget(ctx, *ctx.trace, ctx.layer, head, head_colour_u32(ctx.layer, head, ctx.trace->config.n_heads), size);
  return heatmap_widget(ctx, attention_spec(ctx, head), size);
}

std::string head_title(const UiContext& ctx, int head) {
  char buffer[96];
  const HeadView view = ctx.state.view.head_view;
  const std::vector<Range>& ranges = view == HeadView::Scores ? ctx.view.scores : ctx.view.attention;
  if (view != HeadView::Lines && (ctx.state.view.range == RangeMode::PerHead || view == HeadView::Scores) &&
      head < static_cast<int>(ranges.size())) {
    const Range r = ranges[static_cast<std::size_t>(head)];
    std::snprintf(buffer, sizeof buffer, "Head %d  (%.2f – %.2f)", head + 1, static_cast<double>(r.low),
                  static_cast<double>(r.high));
  } else {
    std::snprintf(buffer, sizeof buffer, "Head %d", head + 1);
  }
  return buffer;
}

// The colour bar at the right of the heads: 0..1 when fixed, else the selected head's range.
void colour_bar_column(UiContext& ctx, ImVec2 origin, float height, float width) {
  const int head = ctx.state.enlarged_head >= 0 ? ctx.state.enlarged_head : ctx.state.selected_head;
  AttentionColours c = attention_colours(ctx, head);
  if (ctx.state.view.head_view == HeadView::Lines) return;  // line width and opacity are the weight
  if (ctx.state.view.head_view == HeadView::Scores && head < static_cast<int>(ctx.view.scores.size()))
    c = {Colormap::Diverging, ctx.view.scores[static_cast<std::size_t>(head)].low, ctx.view.scores[static_cast<std::size_t>(head)].high};
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  // Line 1 says whose scale this is; line 2 what it measures.
  char caption[32];
  if (ctx.state.view.range == RangeMode::Fixed01) std::snprintf(caption, sizeof caption, "All heads");
  else std::snprintf(caption, sizeof caption, "Head %d", head + 1);
  dl->AddText(ImVec2(origin.x, origin.y), text, caption);
  dl->AddText(ImVec2(origin.x, origin.y + font), ImGui::GetColorU32(ImGuiCol_TextDisabled),
              ctx.state.view.head_view == HeadView::Scores ? "raw score" : "weight");
  const float bar_w = std::min(width * 0.3f, 18.0f * ctx.scale);
  const float top = origin.y + font * 2.6f;
  const float bottom = origin.y + std::max(height - font, font * 6.0f);
  draw_colour_bar(dl, ImVec2(origin.x + 2.0f, top), ImVec2(origin.x + 2.0f + bar_w, bottom), c.map,
                  c.low, c.high, text);
}

}  // namespace

void open_step_through(AppState& state, int layer, int head, const HeatmapResult& click) {
  const int query = click.hover_row >= 0 ? click.hover_row : click.label_row;
  if (query < 0) return;  // the click was not on a cell or a query token
  StepThrough& st = state.step;
  if (!st.open || st.layer != layer || st.head != head) st.step = 1;
  st.open = true;
  st.layer = layer;
  st.head = head;
  st.query = query;
  st.key = click.hover_row >= 0 ? click.hover_col : -1;
}

float draw_head_grid(UiContext& ctx, ImVec2 size) {
  if (!ctx.trace || ctx.trace->n_tokens() == 0) {
    const char* message = "Type a sentence above to see every head's attention.";
    const ImVec2 ts = ImGui::CalcTextSize(message);
    ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + std::max(0.0f, (size.x - ts.x) * 0.5f),
                               ImGui::GetCursorPosY() + size.y * 0.4f));
    ImGui::TextDisabled("%s", message);
    return size.y;
  }
  const attn::Trace& trace = *ctx.trace;
  const int heads = trace.config.n_heads;
  clamp_head_selection(ctx.state, heads);
  const float font = ImGui::GetFontSize();
  const float bar_width = font * 4.5f;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float grid_w = std::max(size.x - bar_width, 50.0f);
  ImGuiStyle& style = ImGui::GetStyle();
  float used = size.y;

  if (ctx.state.enlarged_head >= 0) {
    const int head = ctx.state.enlarged_head;
    if (ImGui::Button("\xE2\x86\x90 All heads") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ctx.state.enlarged_head = -1;
    ImGui::SameLine();
    ImGui::TextUnformatted(head_title(ctx, head).c_str());
    const float header = ImGui::GetCursorScreenPos().y - origin.y;
    const HeatmapResult r = head_widget(ctx, head, ImVec2(grid_w, size.y - header));
    if (r.hover_row >= 0) ctx.hover_cell(r.hover_row, r.hover_col);
    if (r.clicked) open_step_through(ctx.state, 0, head, r);
  } else {
    // Pick the column count that gives the largest cells for this many heads in this space.
    const float title_h = font + style.ItemSpacing.y;
    const float labels = label_extent(ctx.view.token_labels, 7.0f * font) + 4.0f * ctx.scale;
    const float n = static_cast<float>(trace.n_tokens());
    int best_cols = 1;
    float best_cell = 0.0f;
    for (int cols = 1; cols <= heads; ++cols) {
      const int rows = (heads + cols - 1) / cols;
      const float pw = grid_w / static_cast<float>(cols) - style.ItemSpacing.x;
      const float ph = size.y / static_cast<float>(rows) - title_h - style.ItemSpacing.y;
      const float cell = std::min(pw - labels, ph - labels) / n;
      if (cell > best_cell) { best_cell = cell; best_cols = cols; }
    }
    const int rows = (heads + best_cols - 1) / best_cols;
    const float panel_w = grid_w / static_cast<float>(best_cols);
    // Only as tall as the cells need: the rest goes to the Q/K/V view below.
    const float natural_h = title_h + labels + std::floor(std::max(best_cell, 1.0f)) * n + style.ItemSpacing.y * 2.0f;
    const float panel_h = std::min(size.y / static_cast<float>(rows), natural_h);
    used = std::min(size.y, panel_h * static_cast<float>(rows));
    for (int h = 0; h < heads; ++h) {
      const int gx = h % best_cols, gy = h / best_cols;
      const ImVec2 p(origin.x + panel_w * static_cast<float>(gx), origin.y + panel_h * static_cast<float>(gy));
      ImGui::SetCursorScreenPos(p);
      const bool selected = h == ctx.state.selected_head;
      if (selected) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_CheckMark));
      ImGui::TextUnformatted((head_title(ctx, h) + (selected ? "  \xE2\x97\x8F" : "")).c_str());
      if (selected) ImGui::PopStyleColor();
      ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + title_h));  // a new line would go back to x = 0
      const HeatmapResult r = head_widget(ctx, h, ImVec2(panel_w - style.ItemSpacing.x, panel_h - title_h - style.ItemSpacing.y));
      if (r.hover_row >= 0) ctx.hover_cell(r.hover_row, r.hover_col);
      if (r.clicked) {
        ctx.state.enlarged_head = h;
        ctx.state.selected_head = h;
        open_step_through(ctx.state, 0, h, r);
      }
    }
  }
  colour_bar_column(ctx, ImVec2(origin.x + grid_w + 4.0f, origin.y), std::max(used, ImGui::GetFontSize() * 12.0f), bar_width);
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + used));
  ImGui::Dummy(ImVec2(size.x, 0.0f));
  return used;
}

}  // namespace app::gui
