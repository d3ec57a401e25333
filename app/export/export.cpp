// export_trace: checks the request, builds the bytes, writes them atomically.
#include "export/export.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/npy.hpp"
#include "export/data_export.hpp"
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
  return (kind == ExportKind::Head ? "head" : "qkv") + std::to_string(head + 1);
}

void export_trace(const attn::Trace& trace, const ModelInput& input, const ExportRequest& r) {
  const int heads = trace.config.n_heads;
  if (r.kind != ExportKind::Grid && (r.head < 0 || r.head >= heads))
    throw std::invalid_argument("head " + std::to_string(r.head + 1) + " does not exist (this model has " +
                                std::to_string(heads) + (heads == 1 ? " head)" : " heads)"));
  if (trace.n_tokens() == 0) throw std::invalid_argument("there is nothing to export: the sentence has no tokens");
  if (r.options.scale < 1 || r.options.scale > 4)
    throw std::invalid_argument("scale must be 1 to 4, got " + std::to_string(r.options.scale));
  std::string bytes;
  switch (r.format) {
    case ExportFormat::Csv: bytes = attention_csv(trace, r.kind, r.head); break;
    case ExportFormat::Npy: bytes = attention_npy(trace, r.kind, r.head); break;
    case ExportFormat::Svg:
    case ExportFormat::Png: {
      const FontSet fonts;
      const Figure figure = layout_figure(trace, input, r.kind, r.head, r.options, fonts);
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
