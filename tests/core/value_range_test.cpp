// The one color-range rule: non-finite cells are skipped, all-NaN and constant maps get a usable
// range, and the window (layer_ranges) and the figures get the same answer from it.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/colormap.hpp"
#include "core/value_range.hpp"

using app::RangePolicy;
using app::value_range;

TEST_CASE("value_range skips NaN and infinite cells", "[range]") {
  const std::vector<float> v{0.2f, NAN, 0.7f, INFINITY, -INFINITY, 0.4f};
  const app::ValueRange r = value_range(v.data(), v.size(), RangePolicy::MinMax);
  CHECK(r.low == 0.2f);
  CHECK(r.high == 0.7f);
  const std::vector<float> signed_v{-0.5f, NAN, 2.0f, -INFINITY};
  const app::ValueRange s = value_range(signed_v.data(), signed_v.size(), RangePolicy::Symmetric);
  CHECK(s.low == -2.0f);
  CHECK(s.high == 2.0f);
}

TEST_CASE("value_range of an all-NaN or empty map is a usable default", "[range]") {
  const std::vector<float> v{NAN, INFINITY, NAN};
  for (std::size_t count : {std::size_t{0}, v.size()}) {
    const app::ValueRange r = value_range(v.data(), count, RangePolicy::MinMax);
    CHECK(r.low == 0.0f);
    CHECK(r.high == 1.0f);
    const app::ValueRange s = value_range(v.data(), count, RangePolicy::Symmetric);
    CHECK(s.low == -1.0f);
    CHECK(s.high == 1.0f);
  }
  // Every cell is still drawn: the non-finite ones in the color no colormap has.
  CHECK(app::colormap_color(app::Colormap::Viridis, app::normalize(v[0], 0.0f, 1.0f)) == app::kNonFiniteColor);
}

TEST_CASE("value_range of a constant map has low below high and draws at the low end", "[range]") {
  for (float c : {0.0f, 0.25f, 1.0f, -3.0f, 1000.0f, 3.0e7f}) {
    const std::vector<float> v(9, c);
    const app::ValueRange r = value_range(v.data(), v.size(), RangePolicy::MinMax);
    INFO("constant " << c);
    CHECK(r.low == c);
    CHECK(r.high > r.low);
    CHECK(std::isfinite(r.high));
    CHECK(app::normalize(c, r.low, r.high) == 0.0f);
  }
  const std::vector<float> zeros(4, 0.0f);
  const app::ValueRange s = value_range(zeros.data(), zeros.size(), RangePolicy::Symmetric);
  CHECK(s.low == -1.0f);
  CHECK(s.high == 1.0f);
  // A symmetric range keeps 0 at the centre of the diverging map.
  const std::vector<float> one_sided{0.1f, 0.3f};
  const app::ValueRange t = value_range(one_sided.data(), one_sided.size(), RangePolicy::Symmetric);
  CHECK(app::normalize(0.0f, t.low, t.high) == 0.5f);
}

TEST_CASE("value_range FromZero spans 0 to the largest finite value", "[range]") {
  const std::vector<float> v = {0.25f, NAN, 0.5f, INFINITY, 0.125f};
  const app::ValueRange r = app::value_range(v.data(), v.size(), app::RangePolicy::FromZero);
  CHECK(r.low == 0.0f);
  CHECK(r.high == 0.5f);
  const std::vector<float> zeros(4, 0.0f);
  const app::ValueRange z = app::value_range(zeros.data(), zeros.size(), app::RangePolicy::FromZero);
  CHECK(z.low == 0.0f);
  CHECK(z.high == 1e-6f);  // a head of zeros stays at the low end, not NaN
  const std::vector<float> nans(3, NAN);
  const app::ValueRange e = app::value_range(nans.data(), nans.size(), app::RangePolicy::FromZero);
  CHECK(e.low == 0.0f);
  CHECK(e.high == 1.0f);
}
