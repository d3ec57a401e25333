// Next-token sampling: greedy at temperature 0, the top-k respected, draws that follow
// softmax(logits / T), and the same seed writing the same tokens.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/model/predict.hpp"

namespace {

const std::vector<float> kLogits{1.0f, 3.0f, 2.0f, 3.0f, -1.0f};  // ids 1 and 3 tie for the most likely

std::array<int, 5> counts(const attn::Sampling& s, int draws, std::uint64_t seed) {
  std::array<int, 5> c{};
  for (int i = 0; i < draws; ++i) ++c[static_cast<std::size_t>(attn::sample_next_token(kLogits.data(), 5, s, seed))];
  return c;
}

}  // namespace

TEST_CASE("temperature 0 and top-k 1 take the most likely token with ties to the smaller id", "[predict]") {
  std::uint64_t rng = 7;
  CHECK(attn::sample_next_token(kLogits.data(), 5, {0.0f, 40}, rng) == 1);
  for (int i = 0; i < 50; ++i) CHECK(attn::sample_next_token(kLogits.data(), 5, {5.0f, 1}, rng) == 1);
}

TEST_CASE("sampling draws tokens in proportion to softmax of the logits over the temperature", "[predict]") {
  const int draws = 40000;
  for (const float t : {1.0f, 0.5f, 2.0f}) {
    const std::array<int, 5> c = counts({t, 0}, draws, 12345);
    double z = 0.0;
    for (float l : kLogits) z += std::exp(static_cast<double>(l) / t);
    for (std::size_t i = 0; i < 5; ++i) {
      const double expected = std::exp(static_cast<double>(kLogits[i]) / t) / z;
      CHECK(static_cast<double>(c[i]) / draws == Approx(expected).margin(0.01));
    }
  }
}

TEST_CASE("sampling keeps to the top-k tokens", "[predict]") {
  const std::array<int, 5> c = counts({100.0f, 3}, 3000, 99);  // nearly uniform over ids 1, 3, 2
  CHECK(c[0] == 0);
  CHECK(c[4] == 0);
  for (const std::size_t i : {1u, 2u, 3u}) CHECK(c[i] > 800);
}

TEST_CASE("a seed writes the same tokens and bad settings are refused", "[predict]") {
  std::uint64_t a = 42, b = 42;
  for (int i = 0; i < 100; ++i)
    CHECK(attn::sample_next_token(kLogits.data(), 5, {1.0f, 0}, a) ==
          attn::sample_next_token(kLogits.data(), 5, {1.0f, 0}, b));
  std::uint64_t rng = 1;
  CHECK_THROWS_AS(attn::sample_next_token(kLogits.data(), 0, {1.0f, 0}, rng), std::invalid_argument);
  CHECK_THROWS_AS(attn::sample_next_token(kLogits.data(), 5, {-1.0f, 0}, rng), std::invalid_argument);
  CHECK_THROWS_AS(attn::sample_next_token(kLogits.data(), 5, {1.0f, -2}, rng), std::invalid_argument);
  const std::vector<float> nan{1.0f, NAN};
  CHECK_THROWS_AS(attn::sample_next_token(nan.data(), 2, {1.0f, 0}, rng), std::invalid_argument);
}
