// The colormap table and lookups with the same rounding as the shader.
#include "core/colormap.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace app {

namespace {

const std::array<ColormapInfo, kColormapCount> kColormaps = {{
    {Colormap::Viridis, "viridis", &detail::kViridis, true},
    {Colormap::Magma, "magma", &detail::kMagma, true},
    {Colormap::Cividis, "cividis", &detail::kCividis, true},
    {Colormap::Grayscale, "grayscale", &detail::kGrayscale, true},
    {Colormap::Diverging, "diverging", &detail::kDiverging, false},
}};

}  // namespace

const std::array<ColormapInfo, kColormapCount>& colormap_table() { return kColormaps; }

std::size_t colormap_row(Colormap map) {
  for (std::size_t i = 0; i < kColormaps.size(); ++i)
    if (kColormaps[i].map == map) return i;
  throw std::logic_error("a colormap without a row in the colormap table");  // a row was forgotten
}

const ColormapInfo& colormap_info(Colormap map) { return kColormaps[colormap_row(map)]; }

const std::array<Rgb8, 256>& colormap_lut(Colormap map) { return *colormap_info(map).lut; }

int colormap_index(float t) {
  if (!(t > 0.0f)) return 0;  // also NaN
  if (t >= 1.0f) return 255;
  return static_cast<int>(t * 255.0f + 0.5f);
}

Rgb8 colormap_color(Colormap map, float t) {
  if (!std::isfinite(t)) return kNonFiniteColor;
  return colormap_lut(map)[static_cast<std::size_t>(colormap_index(t))];
}

std::string_view colormap_name(Colormap map) { return colormap_info(map).name; }

std::optional<Colormap> parse_colormap(std::string_view name) {
  for (const ColormapInfo& c : kColormaps)
    if (c.name == name) return c.map;
  return std::nullopt;
}

std::string weight_colormap_names() {
  std::vector<std::string_view> names;
  for (const ColormapInfo& c : kColormaps)
    if (c.for_weights) names.push_back(c.name);
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i)
    s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(names[i]);
  return s;
}

}  // namespace app
