// The one rule for the color range of a heatmap, used by the window and every figure: which
// values count (finite ones only) and what an empty or constant map gets.
#pragma once
#include <cstddef>

namespace app {

struct ValueRange {
  float low = 0.0f, high = 1.0f;
};

// MinMax: the finite values' [min, max] (attention weights). Symmetric: [-m, m] with m the largest
// finite |v|, so 0 sits at the centre of a diverging colormap (scores, Q/K/V). FromZero: [0, max]
// with max the largest finite value (at least 1e-6), so a faint head stays faint beside the others
// (the model overview's thumbnails of attention weights).
enum class RangePolicy { MinMax, Symmetric, FromZero };

// The range of values[0, count). NaN and ±inf are skipped: they draw in kNonFiniteColor whatever
// the range, and one of them must not stretch or poison the scale of the others. A constant map
// (every finite value v) gets [v, v + 1e-6] (MinMax) so it draws at the low end, not as NaN; a map
// with no finite value (or count 0) gets [0, 1] (MinMax) or [-1, 1] (Symmetric), as does a
// symmetric map of zeros; FromZero gets [0, 1] with no finite value. The result is always finite with low < high.
ValueRange value_range(const float* values, std::size_t count, RangePolicy policy);
// The same over a rows x cols matrix whose rows start `stride` floats apart (a head's slice of a
// wider buffer, read in place). `lower_triangle`: only cells on or before the diagonal count (a
// causal model's scores: the masked ones must not stretch the colors of those that count).
ValueRange value_range(const float* values, std::size_t rows, std::size_t cols, std::size_t stride, RangePolicy policy,
                       bool lower_triangle = false);

}  // namespace app
