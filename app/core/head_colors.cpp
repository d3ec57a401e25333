// HSV to RGB for the head colors.
#include "core/head_colors.hpp"

#include <algorithm>
#include <cmath>

namespace app {

Rgb8 head_color(int layer, int head, int n_heads) {
  const float hue = std::fmod(static_cast<float>(head) / static_cast<float>(std::max(n_heads, 1)) + 0.02f, 1.0f);
  const float value = 0.95f - 0.12f * static_cast<float>(layer % 2);
  const float sat = 0.75f - 0.15f * static_cast<float>(layer / 2);
  // HSV -> RGB: six sectors of the hue circle.
  const float h6 = hue * 6.0f;
  const int sector = static_cast<int>(h6) % 6;
  const float f = h6 - std::floor(h6);
  const float p = value * (1.0f - sat), q = value * (1.0f - sat * f), t = value * (1.0f - sat * (1.0f - f));
  float r = value, g = t, b = p;
  switch (sector) {
    case 0:
      r = value, g = t, b = p;
      break;
    case 1:
      r = q, g = value, b = p;
      break;
    case 2:
      r = p, g = value, b = t;
      break;
    case 3:
      r = p, g = q, b = value;
      break;
    case 4:
      r = t, g = p, b = value;
      break;
    default:
      r = value, g = p, b = q;
      break;
  }
  const auto byte = [](float v) { return static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
  return {byte(r), byte(g), byte(b)};
}

}  // namespace app
