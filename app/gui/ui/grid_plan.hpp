// How a grid of head heatmaps fits a space: columns, rows and pages, so that a map never shrinks
// below a readable size — past that the grid pages instead. Plain arithmetic, tested headless.
#pragma once

namespace app::gui {

struct GridRequest {
  int panels = 1;          // heads (Train mode: layers x heads, layer by layer)
  int n_tokens = 1;        // a map is n_tokens x n_tokens square cells
  float width = 0.0f, height = 0.0f;  // the space for the panels
  float title_h = 0.0f;    // the title line above each map
  float gap = 0.0f;        // between panels
  float label_room = 0.0f; // token labels left of and above the cells, when the cells can carry them
  float font = 1.0f;       // a label needs a cell at least this tall (one line of text)
  float min_side = 0.0f;   // the smallest readable map, cells only
  int fixed_cols = 0;      // > 0: prefer this many columns (Train mode: a row per layer)
  int page = 0;            // the page asked for (clamped)
};

struct GridPlan {
  int cols = 1, rows = 1;          // of one page
  int per_page = 1, pages = 1, page = 0;
  int first = 0, count = 0;        // the panels on this page: [first, first + count)
  float panel_w = 0.0f, panel_h = 0.0f;  // the cell of the grid each panel gets
  float side = 0.0f;               // the map's side (cells only, whole pixels per cell)
  bool labels = false;             // token labels fit beside the cells
  bool readable = true;            // side >= min_side (false only when a lone map is smaller)
};

GridPlan plan_grid(const GridRequest& request);

// The smallest readable map for n tokens at UI scale `scale` with font size `font` (pixels):
// four lines of text tall, and at least three scaled pixels a cell.
float min_readable_side(int n_tokens, float font, float scale);

}  // namespace app::gui
