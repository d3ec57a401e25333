// The head grid: one attention heatmap per head, reflowed to the space it has, a color bar, and
// a click to enlarge a head (Esc or the button to go back).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/tensor_catalog.hpp"
#include "gui/commands.hpp"
#include "gui/ui/color_legend.hpp"
#include "gui/ui/grid_plan.hpp"
#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

AttentionColors attention_colors(const UiContext& ctx, int head) {
  if (ctx.state.view.range == RangeMode::Fixed01 || head < 0 ||
      head >= static_cast<int>(ctx.view.of(TensorId::Attn).size()))
    return {ctx.state.view.colormap, 0.0f, 1.0f};
  const Range r = ctx.view.of(TensorId::Attn)[static_cast<std::size_t>(head)];
  return {ctx.state.view.colormap, r.low, r.high};
}

namespace {

HeatmapSpec attention_spec(const UiContext& ctx, int head, bool small_labels) {
  const attn::LayerView& layer_view = *ctx.shown;
  const std::size_t n = layer_view.n_tokens();
  const AttentionColors colors = attention_colors(ctx, head);
  HeatmapSpec spec;
  spec.id = "attention";
  spec.matrix = TensorId::Attn;
  spec.layer = ctx.layer;
  spec.head = head;
  spec.rows = spec.cols = static_cast<int>(n);
  spec.values = layer_view.attn(static_cast<std::size_t>(head));
  spec.raw_scores = layer_view.scores(static_cast<std::size_t>(head));
  spec.row_labels = spec.col_labels = &ctx.view.token_labels;
  spec.colormap = colors.map;
  spec.low = colors.low;
  spec.high = colors.high;
  spec.causal = layer_view.config.causal;
  spec.export_what = ExportKind::Head;
  spec.small_labels = small_labels;
  if (ctx.state.view.head_view == HeadView::Scores) {  // raw scores on the diverging map, 0 at the centre
    const Range r = ctx.view.of(TensorId::Scores)[static_cast<std::size_t>(head)];
    spec.id = "scores";
    spec.matrix = TensorId::Scores;
    spec.values = spec.raw_scores;
    spec.colormap = tensor_colormap(TensorId::Scores, spec.colormap);
    spec.low = r.low;
    spec.high = r.high;
  }
  return spec;
}

// The heatmap, or the lines of the head when that view is chosen.
HeatmapResult head_widget(UiContext& ctx, int head, ImVec2 size, bool small_labels) {
  if (ctx.state.view.head_view == HeadView::Lines)
    return lines_widget(ctx, *ctx.shown, ctx.layer, head, head_color_u32(ctx.layer, head, ctx.shown->config.n_heads),
                        size, small_labels);
  return heatmap_widget(ctx, attention_spec(ctx, head, small_labels), size);
}

std::string head_title(const UiContext& ctx, int head) {
  char buffer[96];
  const HeadView view = ctx.state.view.head_view;
  const std::vector<Range>& ranges =
      view == HeadView::Scores ? ctx.view.of(TensorId::Scores) : ctx.view.of(TensorId::Attn);
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

// The title that fits `width`: "Head 1  (0.00 – 0.71)", then "Head 1", then "H1" (then cut).
std::string fitted_head_title(const UiContext& ctx, int head, float width, const char* suffix) {
  const std::string full = head_title(ctx, head) + suffix;
  const std::string plain = "Head " + std::to_string(head + 1) + suffix;
  const std::string tiny = "H" + std::to_string(head + 1) + suffix;
  return fit_text({full, plain, tiny}, width);
}

// The color legend for `head` (-1: all heads on screen, no head in particular).
ColorLegend legend_for(const UiContext& ctx, int head) {
  const bool one = head >= 0 && head < static_cast<int>(ctx.view.of(TensorId::Attn).size()) &&
                   head < static_cast<int>(ctx.view.of(TensorId::Scores).size());
  return color_legend(ctx.state, ctx.view.of(TensorId::Attn), ctx.view.of(TensorId::Scores),
                      one ? &ctx.view.of(TensorId::Attn)[static_cast<std::size_t>(head)] : nullptr,
                      one ? &ctx.view.of(TensorId::Scores)[static_cast<std::size_t>(head)] : nullptr,
                      "Head " + std::to_string(std::max(head, 0) + 1));
}

enum class Companion { None, Step, Qkv };

struct EnlargedLayout {
  Companion companion = Companion::None;
  SplitPlan split;
  float hint_h = 0.0f;  // the line under the map saying how to see labels that could not fit
};

// The enlarged head's map beside or below its companion in `area`; the color bar (bar_w) sits
// right of the map.
EnlargedLayout layout_enlarged(const UiContext& ctx, int n, ImVec2 area, float bar_w) {
  const float em = ImGui::GetFontSize(), spacing = ImGui::GetStyle().ItemSpacing.x;
  const LabelSpec labels = token_label_spec(ctx.view.token_labels, ctx.scale, true);
  const LabelSides sides =
      ctx.state.view.head_view == HeadView::Lines ? LabelSides::LeftAndRight : LabelSides::LeftAndTop;
  const float w = area.x - bar_w - spacing * 2.0f;
  // The step-through's toolbar wraps less at 16 em, leaving room for the step itself; the head
  // takes 4 em more only when its labels would otherwise be smaller than in the grid.
  const float comfortable = token_label_spec(ctx.view.token_labels, ctx.scale, false).min_px;
  const auto alone = [&](float h) {
    SplitPlan s;
    s.fit = fit_map(n, n, w, h, labels, true, true, true, sides);
    s.map_w = w;
    s.map_h = h;
    return s;
  };
  EnlargedLayout e;
  e.companion = ctx.state.step.open ? Companion::Step : ctx.state.view.show_qkv ? Companion::Qkv : Companion::None;
  switch (e.companion) {
    case Companion::Step:  // beside with 16 em (or 12, see above), or below with 9 em
      e.split = plan_enlarged(n, w, area.y, labels, sides, em * 16.0f, em * 9.0f, spacing);
      if (!e.split.fit.labels || e.split.fit.label_px < comfortable)
        e.split = plan_enlarged(n, w, area.y, labels, sides, em * 12.0f, em * 9.0f, spacing);
      break;
    case Companion::Qkv:  // four maps side by side: only below, and only when the head keeps its labels
      e.split = plan_enlarged(n, w, area.y, labels, sides, w + 1.0f, em * 7.0f, spacing);
      if (!e.split.fit.labels) {
        e.companion = Companion::None;
        e.split = alone(area.y);
      }
      break;
    case Companion::None:
      e.split = alone(area.y);
      break;
  }
  if (!e.split.fit.labels) {  // a line under the map says how to see them
    e.hint_h = ImGui::GetFrameHeightWithSpacing();
    if (e.companion == Companion::None || !e.split.beside) e.split.map_h -= e.hint_h;
  }
  return e;
}

// One head as large as the space allows, with the step-through or Q/K/V beside or below it.
float draw_enlarged_head(UiContext& ctx, ImVec2 size, const ColorLegend& bar) {
  const attn::LayerView& layer_view = *ctx.shown;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImGuiStyle& style = ImGui::GetStyle();
  const float grid_w = std::max(size.x - bar.width, 50.0f);
  const int head = ctx.state.enlarged_head;
  if (button(ctx.layout, "\xE2\x86\x90 All heads")) ctx.state.enlarged_head = -1;  // Esc: Command::BackToGrid
  ImGui::SameLine();
  const std::string full = head_title(ctx, head);
  ImGui::AlignTextToFramePadding();
  text_fitted(ctx.layout, "head_title", full, false, origin.x + grid_w - ImGui::GetCursorScreenPos().x);
  const float header = ImGui::GetCursorScreenPos().y - origin.y;
  const ImVec2 top(origin.x, origin.y + header);
  // The map uses the width the screen has; the step-through (or Q/K/V) goes beside it or below
  // it, whichever leaves the map larger, and Q/K/V gives way when the map would lose its labels.
  const EnlargedLayout e =
      layout_enlarged(ctx, static_cast<int>(layer_view.n_tokens()), ImVec2(size.x, size.y - header), bar.width);
  ImGui::SetCursorScreenPos(top);
  const HeatmapResult r = head_widget(ctx, head, ImVec2(e.split.map_w, e.split.map_h), true);
  if (r.hover_row >= 0) ctx.hover_cell(r.hover_row, r.hover_col);
  if (r.clicked) open_step_through(ctx.state, 0, head, r);
  const LayoutRecord::Heatmap& drawn = ctx.layout.heatmaps.back();
  const float map_right = drawn.matrix == "lines" ? top.x + e.split.map_w : drawn.x + drawn.w;
  draw_color_legend(ctx, bar, ImVec2(map_right + style.ItemSpacing.x, top.y), drawn.y + drawn.h - top.y);
  if (r.labels_hidden) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    ImGui::SetCursorScreenPos(ImVec2(origin.x, top.y + e.split.map_h));
    text_fitted(ctx.layout, "grid_pages",
                "token labels hidden at this size: hover a cell, or " + shortcut_text(Command::SmallerText) +
                    " for smaller text",
                true, e.split.map_w - style.ItemSpacing.x);
    ImGui::PopStyleColor();
  }
  if (e.companion != Companion::None) {
    const float x = e.split.beside ? map_right + style.ItemSpacing.x * 2.0f + bar.width : origin.x;
    const float y = e.split.beside ? top.y : top.y + e.split.map_h + e.hint_h + style.ItemSpacing.y;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    const ImVec2 room(origin.x + size.x - x, origin.y + size.y - y);
    if (e.companion == Companion::Step) {
      draw_step_through(ctx, ctx.projection, room);
    } else {
      draw_qkv_panel(ctx, room, head);
    }
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + size.y));
  ImGui::Dummy(ImVec2(size.x, 0.0f));
  return size.y;
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

void draw_pages_line(UiContext& ctx, const GridPlan& plan, int total, bool labels_hidden, float width) {
  AppState& state = ctx.state;
  const float right = ImGui::GetCursorScreenPos().x + width;
  if (plan.pages > 1) {
    const auto turn = [&](int page) {
      state.head_page = std::clamp(page, 0, plan.pages - 1);
      if (state.mode == Mode::Explore) state.selected_head = std::min(state.head_page * plan.per_page, total - 1);
    };
    ImGui::BeginDisabled(plan.page == 0);
    if (button(ctx.layout, "\xE2\x97\x82##page")) turn(plan.page - 1);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Previous heads (%s)", shortcut_text(Command::PreviousHeads).c_str());
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(plan.page + 1 >= plan.pages);
    if (button(ctx.layout, "\xE2\x96\xB8##page")) turn(plan.page + 1);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("More heads (%s)", shortcut_text(Command::NextHeads).c_str());
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (command_pressed(Command::NextHeads, state)) turn(plan.page + 1);
    if (command_pressed(Command::PreviousHeads, state)) turn(plan.page - 1);
  }
  std::string line;
  if (plan.pages > 1) {
    char range[64];
    if (plan.count == 1)
      std::snprintf(range, sizeof range, "head %d of %d", plan.first + 1, total);
    else
      std::snprintf(range, sizeof range, "heads %d-%d of %d", plan.first + 1, plan.first + plan.count, total);
    line = range;
    line += plan.page == 0                ? " \xC2\xB7 PgDn for more"
            : plan.page + 1 == plan.pages ? " \xC2\xB7 PgUp for the first"
                                          : " \xC2\xB7 PgUp / PgDn for more";
  }
  if (!plan.readable) {
    line += line.empty() ? "" : "  \xC2\xB7  ";
    line += "too small to read: a larger window or smaller text (" + shortcut_text(Command::SmallerText) + ")";
  } else if (labels_hidden) {
    line += line.empty() ? "" : "  \xC2\xB7  ";
    line += "token labels hidden at this size: click a head to enlarge it";
  }
  if (line.empty()) {
    ImGui::NewLine();
    return;
  }
  ImGui::AlignTextToFramePadding();
  text_fitted(ctx.layout, "grid_pages", line, true, right - ImGui::GetCursorScreenPos().x);
}

float draw_head_grid(UiContext& ctx, ImVec2 size) {
  if (!ctx.shown || ctx.shown->n_tokens() == 0) {
    const char* message = "Type a sentence above to see every head's attention.";
    const ImVec2 ts = ImGui::CalcTextSize(message);
    ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + std::max(0.0f, (size.x - ts.x) * 0.5f),
                               ImGui::GetCursorPosY() + size.y * 0.4f));
    text_disabled(ctx.layout, "hint", message);
    return size.y;
  }
  const attn::LayerView& layer_view = *ctx.shown;
  const int heads = layer_view.config.n_heads;
  clamp_head_selection(ctx.state, heads);
  const float font = ImGui::GetFontSize();
  // Its width: the enlarged head's legend, or the grid's (as wide as any head's would be).
  const ColorLegend bar = legend_for(ctx, ctx.state.enlarged_head);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float grid_w = std::max(size.x - bar.width, 50.0f);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float footer_h = ImGui::GetFrameHeightWithSpacing();

  if (ctx.state.enlarged_head >= 0) return draw_enlarged_head(ctx, size, bar);
  // Pick the column count that gives the largest maps; page when they would be unreadable.
  GridRequest request;
  request.panels = heads;
  request.n_tokens = static_cast<int>(layer_view.n_tokens());
  request.width = grid_w;
  request.height = size.y;
  request.title_h = font + style.ItemSpacing.y;
  request.gap = style.ItemSpacing.x;
  request.labels = token_label_spec(ctx.view.token_labels, ctx.scale, false);
  request.sides = ctx.state.view.head_view == HeadView::Lines ? LabelSides::LeftAndRight : LabelSides::LeftAndTop;
  request.min_side = min_readable_side(request.n_tokens, font, ctx.scale);
  request.page = ctx.state.head_page;
  GridPlan plan = plan_grid(request);
  const bool line = plan.pages > 1 || !plan.labels || !plan.readable;
  if (line) {  // a line above the grid says which heads these are, or why labels are missing
    request.height = size.y - footer_h;
    plan = plan_grid(request);
    ctx.state.head_page = plan.page;  // the line's PgUp / PgDn turn from here
    draw_pages_line(ctx, plan, heads, !plan.labels, grid_w - request.gap);
  }
  ctx.state.head_page = std::min(ctx.state.head_page, plan.pages - 1);
  const ImVec2 top(origin.x, origin.y + (line ? footer_h : 0.0f));
  // Only as tall as the cells need: the rest goes to the Q/K/V view below.
  const float natural_h = request.title_h + (plan.labels ? plan.fit.room_y : 0.0f) + plan.side + request.gap * 2.0f;
  const float panel_h = std::min(plan.panel_h, natural_h);
  const float used = top.y - origin.y + panel_h * static_cast<float>(plan.rows);
  int hovered_head = -1;
  for (int i = 0; i < plan.count; ++i) {
    const int h = plan.first + i;
    const int gx = i % plan.cols, gy = i / plan.cols;
    const ImVec2 p(top.x + plan.panel_w * static_cast<float>(gx), top.y + panel_h * static_cast<float>(gy));
    ImGui::SetCursorScreenPos(p);
    const bool selected = h == ctx.state.selected_head;
    const std::string title = fitted_head_title(ctx, h, plan.panel_w - request.gap, selected ? "  \xE2\x97\x8F" : "");
    if (selected) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_CheckMark));
    text(ctx.layout, "head_title", title);
    if (selected) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", head_title(ctx, h).c_str());
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + request.title_h));  // a new line would go back to x = 0
    const HeatmapResult r =
        head_widget(ctx, h, ImVec2(plan.panel_w - request.gap, panel_h - request.title_h - style.ItemSpacing.y),
                    plan.fit.label_px < request.labels.min_px);
    if (r.hover_row >= 0) {
      ctx.hover_cell(r.hover_row, r.hover_col);
      hovered_head = h;
    }
    if (r.clicked) {
      ctx.state.enlarged_head = h;
      ctx.state.selected_head = h;
      open_step_through(ctx.state, 0, h, r);
    }
  }
  // The head under the mouse now gives the legend its numbers; else it speaks for every head.
  ColorLegend shown = legend_for(ctx, hovered_head);
  shown.width = bar.width;
  draw_color_legend(ctx, shown, ImVec2(origin.x + grid_w, origin.y), used);
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + used));
  ImGui::Dummy(ImVec2(size.x, 0.0f));
  return used;
}

}  // namespace app::gui
