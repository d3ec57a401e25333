// Exporting one layer of a run: figures (PNG, SVG, PDF) and data (CSV, NPY) of all heads, one head, or one head's
// Q/K/V. One entry point for the window and `attnlab export`; needs no display or GL.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/colormap.hpp"
#include "core/model_input.hpp"
#include "core/themes.hpp"
#include "engine/attention.hpp"
#include "engine/explain.hpp"
#include "export/export_format.hpp"

namespace app {

enum class ExportKind { Grid, Head, Qkv, Lines, Step };  // Lines: head -1 = all; Step: head and query

struct FigureOptions {
  Theme theme = Theme::Light;  // figures default to print
  int scale = 1;               // 1..4: every size multiplied, for print resolution
  bool transparent = false;    // no background fill (PNG alpha 0, SVG without a background rect)
  Colormap colormap = Colormap::Viridis;
  bool per_head_range = true;  // false: one 0..1 scale for every head
  bool show_values = true;     // numbers in cells when they are large enough to read
  std::string caption;         // the line under the title; empty: the explorer's configuration
  // After each head's title in grid figures, index = head (e.g. its detector, "previous-token
  // 0.67"); missing or empty: none.
  std::vector<std::string> head_notes;
};

struct ExportRequest {
  ExportKind kind = ExportKind::Grid;
  int head = 0;                    // 0-based; shown to people as "Head 1"
  int query = 0;                   // Step: the query token, 0-based
  attn::OutProjection projection;  // Step: W_O, for the output row (optional)
  ExportFormat format = ExportFormat::Png;
  FigureOptions options;
  std::string path;
};

// Writes the file atomically (temporary name in the same folder, then rename). Throws
// std::invalid_argument for a request that does not fit the layer ("head 9 does not exist (this
// model has 4 heads)", no tokens) and attn::FileError when the file cannot be written.
void export_layer(const attn::LayerView& layer_view, const ModelInput& input, const ExportRequest& request);

// "grid", "head3", "qkv3": the part of a suggested file name (1-based head).
std::string export_part_name(ExportKind kind, int head);

}  // namespace app
