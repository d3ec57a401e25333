// One pass over the values; non-finite ones are skipped before they reach min, max or |v|.
#include "core/value_range.hpp"

#include <algorithm>
#include <cmath>

namespace app {

ValueRange value_range(const float* values, std::size_t count, RangePolicy policy) {
  return value_range(values, 1, count, count, policy);
}

ValueRange value_range(const float* values, std::size_t rows, std::size_t cols, std::size_t stride, RangePolicy policy,
                       bool lower_triangle) {
  float lo = INFINITY, hi = -INFINITY, abs_max = 0.0f;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = values + r * stride;
    const std::size_t counted = lower_triangle ? std::min(cols, r + 1) : cols;
    for (std::size_t c = 0; c < counted; ++c) {
      const float v = row[c];
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      abs_max = std::max(abs_max, std::fabs(v));
    }
  }
  switch (policy) {
    case RangePolicy::Symmetric: {
      const float m = abs_max > 0.0f ? abs_max : 1.0f;
      return {-m, m};
    }
    case RangePolicy::MinMax:
      if (lo > hi) return {0.0f, 1.0f};  // no finite value
      // hi + 1e-6 can round back to hi for |hi| >= 8 (float spacing): then the next float up.
      return {lo, hi > lo ? hi : std::max(std::nextafter(hi, INFINITY), hi + 1e-6f)};
    case RangePolicy::FromZero:
      if (lo > hi) return {0.0f, 1.0f};  // no finite value
      return {0.0f, std::max(hi, 1e-6f)};
  }
  return {0.0f, 1.0f};  // not reached: every policy returns above (GCC cannot see that)
}

}  // namespace app
