// Tries every page size from "all heads" down and every column count, and keeps the first page
// size whose best column count still gives readable maps (whole rows of fixed_cols first).
#include "gui/ui/grid_plan.hpp"

#include <algorithm>
#include <cmath>

namespace app::gui {

namespace {

// The map side for `count` panels in `cols` columns.
GridPlan evaluate(const GridRequest& r, int count, int cols) {
  GridPlan p;
  p.cols = cols;
  p.rows = (count + cols - 1) / cols;
  p.per_page = count;
  p.panel_w = r.width / static_cast<float>(cols);
  p.panel_h = r.height / static_cast<float>(p.rows);
  const float w = p.panel_w - r.gap, h = p.panel_h - r.title_h - r.gap;
  const float n = static_cast<float>(std::max(r.n_tokens, 1));
  const float labelled_cell = std::floor(std::min(w - r.label_room, h - r.label_room) / n);
  if (labelled_cell >= r.font) {
    p.labels = true;
    p.side = labelled_cell * n;
  } else {
    p.side = std::max(0.0f, std::floor(std::min(w, h) / n)) * n;
  }
  return p;
}

GridPlan best_for(const GridRequest& r, int count) {
  GridPlan best = evaluate(r, count, 1);
  for (int cols = 2; cols <= count; ++cols) {
    const GridPlan p = evaluate(r, count, cols);
    if (p.side > best.side) best = p;
  }
  return best;
}

}  // namespace

GridPlan plan_grid(const GridRequest& r) {
  const int panels = std::max(r.panels, 1);
  GridPlan plan;
  bool found = false;
  // Whole rows of fixed_cols first (Train mode: a page holds whole layers), then any shape.
  if (r.fixed_cols > 0 && r.fixed_cols <= panels)
    for (int count = panels / r.fixed_cols * r.fixed_cols; count >= r.fixed_cols && !found; count -= r.fixed_cols) {
      plan = evaluate(r, count, r.fixed_cols);
      found = plan.side >= r.min_side;
    }
  for (int count = panels; count >= 1 && !found; --count) {
    plan = best_for(r, count);
    found = plan.side >= r.min_side;
  }
  if (!found) plan = best_for(r, 1);  // a lone map as large as the space allows
  plan.readable = plan.side >= r.min_side;
  plan.pages = (panels + plan.per_page - 1) / plan.per_page;
  plan.page = std::clamp(r.page, 0, plan.pages - 1);
  plan.first = plan.page * plan.per_page;
  plan.count = std::min(plan.per_page, panels - plan.first);
  return plan;
}

float min_readable_side(int n_tokens, float font, float scale) {
  return std::max(4.0f * font, static_cast<float>(n_tokens) * 3.0f * scale);
}

}  // namespace app::gui
