// export_trace: checks the request, builds the bytes, writes them atomically.
#include "export/export.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/npy.hpp"
#include "export/data_export.hpp"
#include "export/explain_figures.hpp"
#include "export/figure_layout.hpp"
#include "export/figure_render.hpp"
#include "export/png_encode.hpp"

namespace app {

std::optional<ExportFormat> format_from_path(const std::string& path) {
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return std::nullopt;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (ExportFormat f : {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Csv, ExportFormat::Npy})
    if (format_extension(f) == ext) return f;
  return std::nullopt;
}

std::string_view format_extension(ExportFormat format) {
  switch (format) {
    case ExportFormat::Svg: return "svg";
    case ExportFormat::Csv: return "csv";
    case ExportFormat::Npy: return "npy";
    default: return "png";
  }
}

std::string export_part_name(ExportKind kind, int head) {
  if (kind == ExportKind::Grid) return "grid";
  if (kind == ExportKind::Lines) return head < 0 ? "lines" : "lines" + std::to_string(head + 1);
  if (kind == ExportKind::Step) return "step" + std::to_string(head + 1);
  return (kind == ExportKind::Head ? "head" : "qkv") + std::to_string(head + 1);
}

void export_trace(const attn::Trace& trace, const ModelInput& input, const ExportRequest& r) {
  const int heads = trace.config.n_heads;
  const bool any_head = r.kind == ExportKind::Grid || (r.kind == ExportKind::Lines && r.head < 0);
  if (!any_head && (r.head < 0 || r.head >= heads))
    throw std::invalid_argument("head " + std::to_string(r.head + 1) + " does not exist (this model has " +
                                std::to_string(heads) + (heads == 1 ? " head)" : " heads)"));
  if (trace.n_tokens() == 0) throw std::invalid_argument("there is nothing to export: the sentence has no tokens");
  if (r.options.scale < 1 || r.options.scale > 4)
    throw std::invalid_argument("scale must be 1 to 4, got " + std::to_string(r.options.scale));
  if (r.kind == ExportKind::Step && (r.query < 0 || r.query >= static_cast<int>(trace.n_tokens())))
    throw std::invalid_argument("query " + std::to_string(r.query + 1) + " does not exist (the sentence has " +
                                std::to_string(trace.n_tokens()) + " tokens)");
  const bool figure_only = r.kind == ExportKind::Lines || r.kind == ExportKind::Step;
  if (figure_only && (r.format == ExportFormat::Csv || r.format == ExportFormat::Npy))
    throw std::invalid_argument("the lines view and the step-through are figures: choose PNG or SVG");
  std::string bytes;
  switch (r.format) {
    case ExportFormat::Csv: bytes = attention_csv(trace, r.kind, r.head); break;
    case ExportFormat::Npy: bytes = attention_npy(trace, r.kind, r.head); break;
    case ExportFormat::Svg:
    case ExportFormat::Png: {
      const FontSet fonts;
      const Figure figure =
          r.kind == ExportKind::Lines  ? layout_lines_figure(trace, input, r.head, r.options, fonts)
          : r.kind == ExportKind::Step ? layout_step_figure(trace, input, r.head, r.query, r.projection, r.options, fonts)
                                       : layout_figure(trace, input, r.kind, r.head, r.options, fonts);
      if (r.format == ExportFormat::Svg) {
        bytes = to_svg(figure);
      } else {
        const std::vector<unsigned char> pixels = rasterize(figure, fonts);
        bytes = encode_png_rgba(pixels.data(), figure.width, figure.height);
      }
      break;
    }
  }
  attn::write_file_atomic(r.path, bytes);
}

}  // namespace app
