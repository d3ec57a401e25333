// One labelled heatmap: token labels on the axes, the GPU-drawn cells, a tooltip with the exact
// values under the mouse, numbers in cells when they fit, and a right-click export menu.
#pragma once
#include <string>
#include <vector>

#include "gui/ui/grid_plan.hpp"
#include "gui/ui/ui_context.hpp"

namespace app::gui {

struct HeatmapSpec {
  const char* id = "heatmap";
  TensorId matrix = TensorId::Attn;
  int layer = 0;  // the model layer whose textures hold it (explorer: 0)
  int head = 0;
  int rows = 0, cols = 0;
  const float* values = nullptr;                         // rows x cols, row-major (what the cells show)
  std::size_t row_stride = 0;                            // floats from one row of values to the next; 0: cols
  const float* raw_scores = nullptr;                     // rows x cols, optional: shown in the tooltip too
  const std::vector<std::string>* row_labels = nullptr;  // token texts
  const std::vector<std::string>* col_labels = nullptr;
  const char* row_axis = "query";
  const char* col_axis = "key";
  Colormap colormap = Colormap::Viridis;
  float low = 0.0f, high = 1.0f;
  bool columns_are_tokens = true;  // attention: the hovered token also marks a column
  bool square_cells = true;
  bool causal = false;  // masked cells say so in the tooltip
  int decimals = 4;     // tooltip precision
  ExportKind export_what = ExportKind::Head;
  int knock_out = -1;         // Train mode: -1 none, 0 offer "Knock out", 1 offer "Restore"
  bool show_layer = false;    // the tooltip names the layer too
  bool small_labels = false;  // labels may go down to 12 px: an enlarged head, or a grid
                              // that can give no more room
};

struct HeatmapResult {
  bool clicked = false;
  bool toggle_knock_out = false;  // the person chose Knock out / Restore in the menu
  bool labels_hidden = false;     // cells too small for token labels: they were left out
  int label_row = -1;             // the row label under the mouse (a query token), or -1
  int hover_row = -1, hover_col = -1;
};

// Lays the heatmap out in `size` (labels included) at the cursor and advances it.
HeatmapResult heatmap_widget(UiContext& ctx, const HeatmapSpec& spec, ImVec2 size);
// The least height (at least `height`) at which the map, `width` wide, keeps its row labels
// (heatmap_widget's rule); `height` itself when it already does, or when no height would (too
// narrow for them).
float labelled_height(const UiContext& ctx, const HeatmapSpec& spec, float width, float height);

// The lines view of one head in `size`: queries left, keys right, a line per weight in `color`.
// Hovering a token keeps its lines; a click on a query label reports it as label_row.
// `small_labels`: as in HeatmapSpec.
HeatmapResult lines_widget(UiContext& ctx, const attn::LayerView& layer_view, int layer, int head, ImU32 color,
                           ImVec2 size, bool small_labels = false);

// A click on a cell or a row label of head `head` (model layer `layer`) opens the step-through
// for that query (the cell's key is marked); a click elsewhere changes nothing.
void open_step_through(AppState& state, int layer, int head, const HeatmapResult& click);

// The token labels of a map for the planner: the widest label in ems, the gap to the cells, and
// the label font sizes allowed — from the UI's font down to half of it in a grid (which pages
// before going smaller), down to 12 px in an enlarged head (already as large as it gets).
LabelSpec token_label_spec(const std::vector<std::string>& labels, float scale, bool small_labels);

}  // namespace app::gui
