// Colormap lookup tables, shared by the window (uploaded as a texture, looked up in GLSL) and
// the exported figures, so a value gets the same color in both.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace app {

// Viridis, magma and cividis: perceptually uniform and color-blind safe, for weights.
// Grayscale: for print. Diverging: blue (negative) - white (0) - red (positive), for Q/K/V.
enum class Colormap { Viridis, Magma, Cividis, Grayscale, Diverging };

struct Rgb8 {
  std::uint8_t r, g, b;
  bool operator==(const Rgb8& o) const { return r == o.r && g == o.g && b == o.b; }
};

// Non-finite values draw in a color no colormap has, so they cannot pass for data.
inline constexpr Rgb8 kNonFiniteColor{255, 0, 255};

// One row per colormap: everything that lists colormaps (the window's selector, the colormap
// texture's rows, --colormap, session files, figures) reads this table, so a new map is one row.
struct ColormapInfo {
  Colormap map;
  std::string_view name;  // "viridis": command line, session files, the selector
  const std::array<Rgb8, 256>* lut;
  bool for_weights;  // sequential, offered for attention weights; the diverging map is for signed values
};
inline constexpr std::size_t kColormapCount = 5;
// In the selector's order; a colormap's index here is its row of the window's colormap texture.
const std::array<ColormapInfo, kColormapCount>& colormap_table();
const ColormapInfo& colormap_info(Colormap map);
std::size_t colormap_row(Colormap map);  // its index in colormap_table()

const std::array<Rgb8, 256>& colormap_lut(Colormap map);

// The table index of t: round(clamp(t, 0, 1) * 255). The shader computes exactly
// int(clamp(t, 0.0, 1.0) * 255.0 + 0.5). NaN maps to 0 here; callers check finiteness first.
int colormap_index(float t);

// lut[colormap_index(t)], or kNonFiniteColor for NaN/inf.
Rgb8 colormap_color(Colormap map, float t);

std::string_view colormap_name(Colormap map);  // "viridis", ..., "diverging"
std::optional<Colormap> parse_colormap(std::string_view name);
// The maps offered for attention weights, for messages: "viridis, magma, cividis or grayscale".
std::string weight_colormap_names();

// Where a value sits in a range: (v - low) / (high - low), 0.5 for an empty range.
inline float normalize(float v, float low, float high) {
  const float span = high - low;
  return span > 0.0f ? (v - low) / span : 0.5f;
}

namespace detail {
extern const std::array<Rgb8, 256> kViridis, kMagma, kCividis, kGrayscale, kDiverging;
}  // namespace detail

}  // namespace app
