// The one rule that keeps a growing series bounded and evenly spread from step 0 to now: double
// the spacing and keep the grid points. The training curve (BoundedCurve) and the timeline of
// parameter snapshots (TrainHost) both thin with it, so the two never drift apart in how.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

namespace app {

// points: in order of step, each on a grid of `spacing` steps (the newest may be off it). Keeps
// the points whose step is a multiple of 2 * spacing (step 0 included), and with keep_newest the
// newest whatever its step; returns 2 * spacing, the grid from now on. step_of(point) -> step.
template <typename Point, typename StepOf>
long long thin_by_doubling(std::vector<Point>& points, long long spacing, StepOf step_of, bool keep_newest) {
  const long long doubled = 2 * spacing;
  std::vector<Point> kept;
  kept.reserve(points.size() / 2 + 2);
  for (std::size_t i = 0; i < points.size(); ++i)
    if (step_of(points[i]) % doubled == 0 || (keep_newest && i + 1 == points.size()))
      kept.push_back(std::move(points[i]));
  points = std::move(kept);
  return doubled;
}

}  // namespace app
