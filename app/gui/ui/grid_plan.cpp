// Labels first: every candidate layout is sized with the room its token labels need, and a
// labelled layout is preferred to a larger unlabelled one; the grid pages rather than drop them.
#include "gui/ui/grid_plan.hpp"

#include <algorithm>
#include <cmath>

namespace app::gui {

namespace {

// The smallest label font size anywhere: below it a label cannot be read even up close.
constexpr float kSmallestLabelPx = 12.0f;

// The cells of the map when the labels are `p` pixels and take at most `cap_em` ems.
MapFit try_labels(int rows, int cols, float w, float h, const LabelSpec& labels, bool row_labels, bool col_labels,
                  bool square, LabelSides sides, float cap_em, float p) {
  MapFit f;
  const float room = std::min(labels.widest_em, cap_em) * p + labels.pad;
  f.label_px = p;
  f.room_x = row_labels ? (sides == LabelSides::LeftAndRight ? 2.0f * room : room) : 0.0f;
  f.room_y = col_labels && sides == LabelSides::LeftAndTop ? room : 0.0f;
  f.cell_w = std::floor((w - f.room_x) / static_cast<float>(cols));
  f.cell_h = std::floor((h - f.room_y) / static_cast<float>(rows));
  if (square) f.cell_w = f.cell_h = std::min(f.cell_w, f.cell_h);
  // A label needs a cell at least as tall (rows) or wide (columns, which read upwards) as its text.
  const bool cols_need = col_labels && sides == LabelSides::LeftAndTop;
  f.labels = (!row_labels || f.cell_h >= p) && (!cols_need || f.cell_w >= p) && f.cell_w >= 1.0f && f.cell_h >= 1.0f;
  return f;
}

}  // namespace

MapFit fit_map(int rows, int cols, float w, float h, const LabelSpec& labels, bool row_labels, bool col_labels,
               bool square, LabelSides sides) {
  rows = std::max(rows, 1);
  cols = std::max(cols, 1);
  if (labels.widest_em > 0.0f && (row_labels || col_labels)) {
    const float top = std::floor(labels.max_px);
    const float bottom = std::min(labels.min_px, top);
    // Whole words first (up to kLabelRoomEm), then shorter rooms with "…": each at the largest
    // label size that fits.
    for (const float cap : {kLabelRoomEm, kShortLabelRoomEm}) {
      if (cap < kLabelRoomEm && labels.widest_em <= cap) break;  // the short room changes nothing
      for (float p = top; p >= bottom - 1e-3f; p -= 1.0f) {
        const MapFit f = try_labels(rows, cols, w, h, labels, row_labels, col_labels, square, sides, cap, p);
        if (f.labels) return f;
      }
    }
  }
  MapFit f;
  f.cell_w = std::max(0.0f, std::floor(w / static_cast<float>(cols)));
  f.cell_h = std::max(0.0f, std::floor(h / static_cast<float>(rows)));
  if (square) f.cell_w = f.cell_h = std::min(f.cell_w, f.cell_h);
  return f;
}

namespace {

bool wants_labels(const GridRequest& r) { return r.labels.widest_em > 0.0f; }

// The map for `count` panels in `cols` columns.
GridPlan evaluate(const GridRequest& r, const LabelSpec& labels, int count, int cols) {
  GridPlan p;
  p.cols = cols;
  p.rows = (count + cols - 1) / cols;
  p.per_page = count;
  p.panel_w = r.width / static_cast<float>(cols);
  p.panel_h = r.height / static_cast<float>(p.rows);
  const float w = p.panel_w - r.gap, h = p.panel_h - r.title_h - r.gap;
  const int n = std::max(r.n_tokens, 1);
  p.fit = fit_map(n, n, w, h, labels, true, true, true, r.sides);
  p.labels = p.fit.labels;
  p.side = std::max(0.0f, p.fit.cell_h) * static_cast<float>(n);
  return p;
}

// Labelled beats unlabelled; then the larger map; then the larger labels.
bool better(const GridPlan& a, const GridPlan& b) {
  if (a.labels != b.labels) return a.labels;
  if (a.side != b.side) return a.side > b.side;
  return a.fit.label_px > b.fit.label_px;
}

GridPlan best_for(const GridRequest& r, const LabelSpec& labels, int count) {
  GridPlan best = evaluate(r, labels, count, 1);
  for (int cols = 2; cols <= count; ++cols) {
    const GridPlan p = evaluate(r, labels, count, cols);
    if (better(p, best)) best = p;
  }
  return best;
}

// The largest page (whole rows of fixed_cols first) whose maps are readable and, when `labelled`,
// carry their labels.
bool largest_page(const GridRequest& r, const LabelSpec& labels, bool labelled, GridPlan& plan) {
  const int panels = std::max(r.panels, 1);
  const auto good = [&](const GridPlan& p) { return p.side >= r.min_side && (!labelled || p.labels); };
  if (r.fixed_cols > 0 && r.fixed_cols <= panels)
    for (int count = panels / r.fixed_cols * r.fixed_cols; count >= r.fixed_cols; count -= r.fixed_cols) {
      plan = evaluate(r, labels, count, r.fixed_cols);
      if (good(plan)) return true;
    }
  for (int count = panels; count >= 1; --count) {
    plan = best_for(r, labels, count);
    if (good(plan)) return true;
  }
  return false;
}

}  // namespace

GridPlan plan_grid(const GridRequest& r) {
  const int panels = std::max(r.panels, 1);
  GridPlan plan;
  bool found = false;
  if (wants_labels(r)) {
    found = largest_page(r, r.labels, true, plan);
    if (!found && r.labels.min_px > kSmallestLabelPx) {  // smaller labels before none at all
      LabelSpec small = r.labels;
      small.min_px = kSmallestLabelPx;
      found = largest_page(r, small, true, plan);
      if (!found) {
        // Labelled maps below the usual readable side still beat unlabelled larger ones: each
        // cell is at least a label's height (12 px), so the map stays legible.
        GridRequest relaxed = r;
        relaxed.min_side = 0.0f;
        found = largest_page(relaxed, small, true, plan);
      }
    }
  }
  if (!found) {  // no map can carry its labels here: the largest readable maps, unlabelled
    LabelSpec none = r.labels;
    none.widest_em = 0.0f;
    found = largest_page(r, none, false, plan);
  }
  if (!found) plan = best_for(r, r.labels, 1);  // a lone map as large as the space allows
  plan.readable = plan.side >= r.min_side;
  plan.pages = (panels + plan.per_page - 1) / plan.per_page;
  plan.page = std::clamp(r.page, 0, plan.pages - 1);
  plan.first = plan.page * plan.per_page;
  plan.count = std::min(plan.per_page, panels - plan.first);
  return plan;
}

SplitPlan plan_enlarged(int n_tokens, float w, float h, const LabelSpec& labels, LabelSides sides, float other_min_w,
                        float other_min_h, float gap) {
  const int n = std::max(n_tokens, 1);
  SplitPlan beside;
  beside.beside = true;
  beside.fit = fit_map(n, n, w - other_min_w - gap, h, labels, true, true, true, sides);
  beside.map_w = std::min(w - other_min_w - gap, beside.fit.room_x + beside.fit.cell_w * static_cast<float>(n));
  beside.map_h = h;
  beside.other_w = w - beside.map_w - gap;
  beside.other_h = h;
  SplitPlan below;
  below.beside = false;
  below.fit = fit_map(n, n, w, h - other_min_h - gap, labels, true, true, true, sides);
  below.map_w = w;
  below.map_h = std::min(h - other_min_h - gap, below.fit.room_y + below.fit.cell_h * static_cast<float>(n));
  below.other_w = w;
  below.other_h = h - below.map_h - gap;
  if (beside.fit.labels != below.fit.labels) return beside.fit.labels ? beside : below;
  return below.fit.cell_h > beside.fit.cell_h ? below : beside;
}

float min_labelled_extent(int n_tokens, const LabelSpec& labels) {
  const float p = labels.min_px;
  return std::min(labels.widest_em, kLabelRoomEm) * p + labels.pad + static_cast<float>(std::max(n_tokens, 1)) * p;
}

float min_readable_side(int n_tokens, float font, float scale) {
  return std::max(4.0f * font, static_cast<float>(n_tokens) * 3.0f * scale);
}

}  // namespace app::gui
