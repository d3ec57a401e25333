// Top-k of a softmax over one row of logits.
#include "engine/model/predict.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attn {

std::vector<TokenProbability> top_next_tokens(const float* logits_row, int vocab_size, int k) {
  if (vocab_size <= 0) return {};
  const std::size_t V = static_cast<std::size_t>(vocab_size);
  // 1. The softmax's normaliser, max subtracted for stability, in double so that a vocabulary
  //    of 50,000 small terms still sums exactly enough for a percentage.
  double max = -INFINITY;
  for (std::size_t i = 0; i < V; ++i) {
    if (!std::isfinite(logits_row[i])) throw std::invalid_argument("top_next_tokens: a logit is not finite");
    max = std::max(max, static_cast<double>(logits_row[i]));
  }
  double sum = 0.0;
  for (std::size_t i = 0; i < V; ++i) sum += std::exp(static_cast<double>(logits_row[i]) - max);
  // 2. The k largest logits are the k most likely tokens.
  std::vector<std::int32_t> ids(V);
  for (std::size_t i = 0; i < V; ++i) ids[i] = static_cast<std::int32_t>(i);
  const std::size_t keep = static_cast<std::size_t>(std::clamp(k, 0, vocab_size));
  const auto more_likely = [&](std::int32_t a, std::int32_t b) {
    const float la = logits_row[static_cast<std::size_t>(a)], lb = logits_row[static_cast<std::size_t>(b)];
    return la > lb || (la == lb && a < b);
  };
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(keep), ids.end(), more_likely);
  std::vector<TokenProbability> top;
  for (std::size_t i = 0; i < keep; ++i)
    top.push_back({ids[i], static_cast<float>(std::exp(static_cast<double>(logits_row[static_cast<std::size_t>(ids[i])]) - max) / sum)});
  return top;
}

}  // namespace attn
