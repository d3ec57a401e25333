// The statistic the benchmarks report: the median, robust to the odd slow repetition.
#pragma once
#include <algorithm>
#include <vector>

namespace app::cli {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace app::cli
