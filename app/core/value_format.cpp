// Number and vector text for the step-through.
#include "core/value_format.hpp"

#include <cstdio>

namespace app {

std::string format_short(float v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", static_cast<double>(v));
  return b;
}

std::string format_vector(const float* v, std::size_t n) {
  std::string s = "[";
  const std::size_t head = n <= 8 ? n : 4;
  for (std::size_t i = 0; i < head; ++i) s += (i ? ", " : "") + format_short(v[i]);
  if (n > 8) s += ", \xE2\x80\xA6, " + format_short(v[n - 2]) + ", " + format_short(v[n - 1]);
  return s + "]" + (n > 8 ? "  (" + std::to_string(n) + " values)" : "");
}

}  // namespace app
