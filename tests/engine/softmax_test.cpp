// softmax_row() on its own: accuracy against std::exp in double, every row length around the
// vector width, the mask, and the rows that must not become NaN.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "engine/nn/simd.hpp"
#include "engine/softmax.hpp"

namespace {

// The difference score - max is rounded to float first, as the engine must: its rounding moves
// e^x by up to |x| * 2^-24 relative, which no exp could undo. What is compared is then the exp
// and the normalization.
std::vector<double> reference_softmax(const std::vector<float>& scores, std::size_t visible) {
  std::vector<double> w(scores.size(), 0.0);
  float max = -INFINITY;
  double sum = 0.0;
  for (std::size_t j = 0; j < visible; ++j) max = std::max(max, scores[j]);
  for (std::size_t j = 0; j < visible; ++j) sum += w[j] = std::exp(double(scores[j] - max));
  for (std::size_t j = 0; j < visible; ++j) w[j] /= sum;
  return w;
}

}  // namespace

TEST_CASE("softmax_row matches exp in double for every length and mask", "[softmax]") {
  std::mt19937 rng(11);
  for (const float spread : {0.1f, 3.0f, 30.0f}) {
    std::normal_distribution<float> normal(0.0f, spread);
    for (std::size_t n = 1; n <= 40; ++n)
      for (std::size_t visible = 1; visible <= n; visible += (n > 20 ? 7 : 1)) {
        std::vector<float> scores(n);
        for (float& s : scores) s = normal(rng);
        const std::vector<double> expected = reference_softmax(scores, visible);
        // The kernel training runs (the CPU's level) and every other level this CPU has.
        for (const attn::SimdLevel level : attn::supported_simd_levels()) {
          std::vector<float> weights(n, -1.0f);  // poison: every entry must be written
          attn::softmax_row_at(level, scores.data(), weights.data(), visible, n);
          double sum = 0.0;
          for (std::size_t j = 0; j < n; ++j) {
            INFO("spread " << spread << " n " << n << " visible " << visible << " j " << j << " on "
                           << attn::simd_level_name(level));
            // Relative to the weight, with an absolute floor for those that flush to 0 below e^-80.
            CHECK(std::fabs(weights[j] - expected[j]) <= 1e-6 * expected[j] + 1e-30);
            if (j >= visible) CHECK(weights[j] == 0.0f);
            sum += weights[j];
          }
          CHECK(sum == Approx(1.0).epsilon(1e-6));
        }
      }
  }
}

TEST_CASE("softmax_row is exact where it must be", "[softmax]") {
  SECTION("equal scores give equal weights") {
    std::vector<float> scores(13, 2.5f), weights(13);
    attn::softmax_row(scores.data(), weights.data(), 13, 13);
    for (float w : weights) CHECK(w == Approx(1.0f / 13.0f).epsilon(1e-6));
  }
  SECTION("a weight far below the largest is exactly 0, never a denormal") {
    std::vector<float> scores{0.0f, -100.0f, -85.0f, -79.0f, 0.0f, -1e6f, -1000.0f, -90.0f, -81.0f};
    std::vector<float> weights(scores.size());
    attn::softmax_row(scores.data(), weights.data(), scores.size(), scores.size());
    for (std::size_t j = 0; j < scores.size(); ++j) {
      INFO("score " << scores[j] << " weight " << weights[j]);
      CHECK(std::fpclassify(weights[j]) != FP_SUBNORMAL);
      if (scores[j] < -80.0f) CHECK(weights[j] == 0.0f);
    }
    CHECK(weights[3] == Approx(0.5 * std::exp(-79.0)).epsilon(1e-5));
    CHECK(weights[0] == Approx(0.5f));
  }
  SECTION("non-finite scores spread evenly over the visible keys instead of NaN") {
    const float inf = std::numeric_limits<float>::infinity();
    for (const float bad : {inf, -inf, std::numeric_limits<float>::quiet_NaN()}) {
      std::vector<float> scores(10, bad), weights(12, -1.0f);
      scores.resize(12, 0.0f);
      attn::softmax_row(scores.data(), weights.data(), 10, 12);
      for (std::size_t j = 0; j < 10; ++j) CHECK(weights[j] == Approx(0.1f));
      CHECK(weights[10] == 0.0f);
      CHECK(weights[11] == 0.0f);
    }
  }
  SECTION("no visible key gives an all-zero row") {
    std::vector<float> scores(9, 1.0f), weights(9, -1.0f);
    attn::softmax_row(scores.data(), weights.data(), 0, 9);
    for (float w : weights) CHECK(w == 0.0f);
  }
}
