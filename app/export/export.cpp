// export_layer: checks the request, builds the bytes, writes them atomically.
#include "export/export.hpp"

#include <stdexcept>

#include "engine/npy.hpp"
#include "export/data_export.hpp"
#include "export/explain_figures.hpp"
#include "export/figure_layout.hpp"
#include "export/figure_render.hpp"

namespace app {

std::string export_part_name(ExportKind kind, int head) {
  if (kind == ExportKind::Grid) return "grid";
  if (kind == ExportKind::Lines) return head < 0 ? "lines" : "lines" + std::to_string(head + 1);
  if (kind == ExportKind::Step) return "step" + std::to_string(head + 1);
  return (kind == ExportKind::Head ? "head" : "qkv") + std::to_string(head + 1);
}

void export_layer(const attn::LayerView& layer_view, const ModelInput& input, const ExportRequest& r) {
  const int heads = layer_view.config.n_heads;
  const bool any_head = r.kind == ExportKind::Grid || (r.kind == ExportKind::Lines && r.head < 0);
  if (!any_head && (r.head < 0 || r.head >= heads))
    throw std::invalid_argument("head " + std::to_string(r.head + 1) + " does not exist (this model has " +
                                std::to_string(heads) + (heads == 1 ? " head)" : " heads)"));
  if (layer_view.n_tokens() == 0) throw std::invalid_argument("there is nothing to export: the sentence has no tokens");
  if (r.options.scale < 1 || r.options.scale > 4)
    throw std::invalid_argument("scale must be 1 to 4, got " + std::to_string(r.options.scale));
  if (r.kind == ExportKind::Step && (r.query < 0 || r.query >= static_cast<int>(layer_view.n_tokens())))
    throw std::invalid_argument("query " + std::to_string(r.query + 1) + " does not exist (the sentence has " +
                                std::to_string(layer_view.n_tokens()) + " tokens)");
  const bool figure_only = r.kind == ExportKind::Lines || r.kind == ExportKind::Step;
  if (figure_only && !is_figure_format(r.format))
    throw std::invalid_argument("the lines view and the step-through are figures: choose PNG, SVG or PDF");
  std::string bytes;
  if (r.format == ExportFormat::Csv) {
    bytes = attention_csv(layer_view, r.kind, r.head);
  } else if (r.format == ExportFormat::Npy) {
    bytes = attention_npy(layer_view, r.kind, r.head);
  } else {
    const TextShaper shaper;
    const Figure figure = r.kind == ExportKind::Lines
                              ? layout_lines_figure(layer_view, input, r.head, r.options, shaper)
                          : r.kind == ExportKind::Step
                              ? layout_step_figure(layer_view, input, r.head, r.query, r.projection, r.options, shaper)
                              : layout_figure(layer_view, input, r.kind, r.head, r.options, shaper);
    bytes = encode_figure(figure, r.format, shaper);
  }
  attn::write_file_atomic(r.path, bytes);
}

}  // namespace app
