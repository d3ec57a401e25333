// File name extension <-> export format, in one table.
#include "export/export_format.hpp"

#include <algorithm>
#include <cctype>

namespace app {

namespace {

constexpr ExportFormat kFormats[] = {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf, ExportFormat::Csv,
                                     ExportFormat::Npy};

}  // namespace

std::optional<ExportFormat> format_from_path(const std::string& path) {
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return std::nullopt;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (ExportFormat f : kFormats)
    if (format_extension(f) == ext) return f;
  return std::nullopt;
}

std::string_view format_extension(ExportFormat format) {
  switch (format) {
    case ExportFormat::Svg:
      return "svg";
    case ExportFormat::Pdf:
      return "pdf";
    case ExportFormat::Csv:
      return "csv";
    case ExportFormat::Npy:
      return "npy";
    case ExportFormat::Png:
      break;
  }
  return "png";
}

}  // namespace app
