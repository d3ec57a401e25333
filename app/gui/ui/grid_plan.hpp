// How a grid of head heatmaps fits a space: columns, rows and pages, so that every map carries its
// token labels — room for them is kept before the cells are sized, and the grid pages before a
// map would lose them. Plain arithmetic, tested headless.
#pragma once

namespace app::gui {

// The token labels of a map, at a label font size the planner chooses: their text scales with it.
struct LabelSpec {
  float widest_em = 0.0f;  // the widest label, in ems of its own font size (0: the map has none)
  float pad = 0.0f;        // between a label and the cells, pixels
  float min_px = 12.0f;    // the smallest label font size still readable here
  float max_px = 17.0f;    // the largest worth having (the UI's font size)
};

// The longest label room kept, in ems (longer labels end in "…", the full text on hover), and
// the shorter room tried when that does not fit.
constexpr float kLabelRoomEm = 6.0f;
constexpr float kShortLabelRoomEm = 3.5f;

// Where the labels go: a heatmap has them left of its rows and above its columns; the lines view
// left and right of its lines (and its cells are rows only, one token each).
enum class LabelSides { LeftAndTop, LeftAndRight };

// One map fitted to a w x h space.
struct MapFit {
  bool labels = false;                 // the labels fit, each in its own cell
  float label_px = 0.0f;               // their font size
  float room_x = 0.0f, room_y = 0.0f;  // kept for them beside (left, or left + right) and above
  float cell_w = 0.0f, cell_h = 0.0f;  // whole pixels
};

// The largest cells of a rows x cols map in w x h: with labels when a label font size in
// [min_px, max_px] fits each label in its cell (the largest such size), else without.
// `row_labels` / `col_labels`: which axes have labels; `square`: cells as wide as tall.
MapFit fit_map(int rows, int cols, float w, float h, const LabelSpec& labels, bool row_labels, bool col_labels,
               bool square, LabelSides sides = LabelSides::LeftAndTop);

struct GridRequest {
  int panels = 1;                     // heads (Train mode: layers x heads, layer by layer)
  int n_tokens = 1;                   // a map is n_tokens x n_tokens square cells
  float width = 0.0f, height = 0.0f;  // the space for the panels
  float title_h = 0.0f;               // the title line above each map
  float gap = 0.0f;                   // between panels
  LabelSpec labels;                   // the token labels every map should carry
  LabelSides sides = LabelSides::LeftAndTop;
  float min_side = 0.0f;  // the smallest readable map, cells only
  int fixed_cols = 0;     // > 0: prefer this many columns (Train mode: a row per layer)
  int page = 0;           // the page asked for (clamped)
};

struct GridPlan {
  int cols = 1, rows = 1;  // of one page
  int per_page = 1, pages = 1, page = 0;
  int first = 0, count = 0;              // the panels on this page: [first, first + count)
  float panel_w = 0.0f, panel_h = 0.0f;  // the cell of the grid each panel gets
  float side = 0.0f;                     // the map's side (cells only, whole pixels per cell)
  MapFit fit;                            // the map's labels and cells
  bool labels = false;                   // token labels fit beside the cells
  bool readable = true;                  // side >= min_side (false only when a lone map is smaller)
};

// Fewest pages with every map labelled and readable; a labelled layout beats a larger unlabelled
// one. Only when not even one map can carry its labels, the largest readable unlabelled maps.
GridPlan plan_grid(const GridRequest& request);

// An enlarged head beside or below its companion panel (the step-through, or Q/K/V).
struct SplitPlan {
  bool beside = true;                    // the companion right of the map, else below it
  float map_w = 0.0f, map_h = 0.0f;      // the map's area, labels included
  float other_w = 0.0f, other_h = 0.0f;  // the companion's area
  MapFit fit;
};

// Splits w x h (gap between the two) so that the map of n_tokens is as large as it can be while
// the companion keeps at least other_min_w (beside) or other_min_h (below); a labelled map wins.
SplitPlan plan_enlarged(int n_tokens, float w, float h, const LabelSpec& labels, LabelSides sides, float other_min_w,
                        float other_min_h, float gap);

// The height (and width) of the smallest map of n_tokens whose labels fit at labels.min_px, its
// label room included.
float min_labelled_extent(int n_tokens, const LabelSpec& labels);

// The smallest readable map for n tokens at UI scale `scale` with font size `font` (pixels):
// four lines of text tall, and at least three scaled pixels a cell.
float min_readable_side(int n_tokens, float font, float scale);

}  // namespace app::gui
