// Table lookup with the same rounding as the shader.
#include "core/colormap.hpp"

#include <cmath>

namespace app {

const std::array<Rgb8, 256>& colormap_lut(Colormap map) {
  switch (map) {
    case Colormap::Magma: return detail::kMagma;
    case Colormap::Cividis: return detail::kCividis;
    case Colormap::Grayscale: return detail::kGrayscale;
    case Colormap::Diverging: return detail::kDiverging;
    default: return detail::kViridis;
  }
}

int colormap_index(float t) {
  if (!(t > 0.0f)) return 0;  // also NaN
  if (t >= 1.0f) return 255;
  return static_cast<int>(t * 255.0f + 0.5f);
}

Rgb8 colormap_color(Colormap map, float t) {
  if (!std::isfinite(t)) return kNonFiniteColor;
  return colormap_lut(map)[static_cast<std::size_t>(colormap_index(t))];
}

std::string_view colormap_name(Colormap map) {
  switch (map) {
    case Colormap::Magma: return "magma";
    case Colormap::Cividis: return "cividis";
    case Colormap::Grayscale: return "grayscale";
    case Colormap::Diverging: return "diverging";
    default: return "viridis";
  }
}

std::optional<Colormap> parse_colormap(std::string_view name) {
  for (Colormap m : {Colormap::Viridis, Colormap::Magma, Colormap::Cividis, Colormap::Grayscale, Colormap::Diverging})
    if (colormap_name(m) == name) return m;
  return std::nullopt;
}

}  // namespace app
