// The file formats of exports: figures (PNG, SVG, PDF) and data (CSV, NPY), and how a file name
// picks one.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace app {

enum class ExportFormat { Png, Svg, Pdf, Csv, Npy };

inline bool is_figure_format(ExportFormat f) {
  return f == ExportFormat::Png || f == ExportFormat::Svg || f == ExportFormat::Pdf;
}

// By extension: .png .svg .pdf .csv .npy (any case); nullopt otherwise.
std::optional<ExportFormat> format_from_path(const std::string& path);
std::string_view format_extension(ExportFormat format);  // "png", "svg", ...

}  // namespace app
