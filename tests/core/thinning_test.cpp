// thin_by_doubling, the one thinning rule of the training curve and the timeline: which points
// stay, the spacing it returns, and that repeated thinning stays evenly spread from step 0.
#include <catch2/catch.hpp>

#include <vector>

#include "core/thinning.hpp"

namespace {

std::vector<long long> steps(long long first, long long last, long long spacing) {
  std::vector<long long> v;
  for (long long s = first; s <= last; s += spacing) v.push_back(s);
  return v;
}

long long step_of(long long s) { return s; }

}  // namespace

TEST_CASE("thinning keeps the points on the doubled grid and returns the new spacing", "[thinning]") {
  std::vector<long long> points = steps(0, 90, 10);
  CHECK(app::thin_by_doubling(points, 10, step_of, false) == 20);
  CHECK(points == std::vector<long long>{0, 20, 40, 60, 80});
}

TEST_CASE("thinning keeps the newest point off the grid only when asked", "[thinning]") {
  std::vector<long long> curve = steps(0, 60, 10);
  curve.push_back(67);  // the newest evaluation, between grid points
  std::vector<long long> timeline = curve;
  CHECK(app::thin_by_doubling(curve, 10, step_of, true) == 20);
  CHECK(curve == std::vector<long long>{0, 20, 40, 60, 67});
  CHECK(app::thin_by_doubling(timeline, 10, step_of, false) == 20);
  CHECK(timeline == std::vector<long long>{0, 20, 40, 60});
  // A newest point on the grid is kept once, not twice.
  std::vector<long long> on_grid = steps(0, 80, 10);
  app::thin_by_doubling(on_grid, 10, step_of, true);
  CHECK(on_grid == std::vector<long long>{0, 20, 40, 60, 80});
}

TEST_CASE("thinning again and again stays evenly spread from step 0", "[thinning]") {
  // As the hosts use it: add a point every `spacing` steps, thin when more than 16 are held.
  std::vector<long long> points;
  long long spacing = 10;
  for (long long s = 0; s <= 100000; s += 10) {
    if (s % spacing != 0) continue;
    points.push_back(s);
    if (points.size() > 16) spacing = app::thin_by_doubling(points, spacing, step_of, false);
    REQUIRE(points.size() <= 16);
  }
  REQUIRE(points.size() >= 8);  // halved at most, never emptied
  CHECK(points.front() == 0);
  for (std::size_t i = 1; i < points.size(); ++i) CHECK(points[i] - points[i - 1] == spacing);
  CHECK(points.back() > 100000 - 2 * spacing);  // the newest grid point, within the last spacing or two
}

TEST_CASE("thinning an empty series or a lone step 0 keeps what is there", "[thinning]") {
  std::vector<long long> none;
  CHECK(app::thin_by_doubling(none, 5, step_of, true) == 10);
  CHECK(none.empty());
  std::vector<long long> start{0};
  app::thin_by_doubling(start, 5, step_of, false);
  CHECK(start == std::vector<long long>{0});
}

TEST_CASE("thinning moves the points it keeps without copying them", "[thinning]") {
  struct Snapshot {
    long long step;
    std::vector<float> params;
  };
  std::vector<Snapshot> timeline{{0, {1.0f}}, {10, {2.0f}}, {20, {3.0f}}};
  const float* kept = timeline[2].params.data();
  app::thin_by_doubling(
      timeline, 10, [](const Snapshot& s) { return s.step; }, false);
  REQUIRE(timeline.size() == 2);
  CHECK(timeline[1].step == 20);
  CHECK(timeline[1].params.data() == kept);  // the same buffer: moved, not copied
}
