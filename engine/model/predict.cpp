// Top-k of a softmax over one row of logits.
#include "engine/model/predict.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/rng.hpp"

namespace attn {

std::vector<TokenProbability> top_next_tokens(const float* logits_row, int vocab_size, int k) {
  if (vocab_size <= 0) return {};
  const std::size_t V = static_cast<std::size_t>(vocab_size);
  // 1. The softmax's normalizer, max subtracted for stability, in double so that a vocabulary
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
    top.push_back(
        {ids[i],
         static_cast<float>(std::exp(static_cast<double>(logits_row[static_cast<std::size_t>(ids[i])]) - max) / sum)});
  return top;
}

std::int32_t sample_next_token(const float* logits_row, int vocab_size, const Sampling& sampling,
                               std::uint64_t& rng_state) {
  if (vocab_size <= 0) throw std::invalid_argument("sample_next_token: the vocabulary is empty");
  if (!(sampling.temperature >= 0.0f) || sampling.top_k < 0)
    throw std::invalid_argument("sample_next_token: the temperature and top-k must not be negative");
  const int k = sampling.top_k == 0 ? vocab_size : std::min(sampling.top_k, vocab_size);
  // The candidates, most likely first (top_next_tokens checks every logit is finite).
  const std::vector<TokenProbability> top =
      top_next_tokens(logits_row, vocab_size, sampling.temperature == 0.0f ? 1 : k);
  if (sampling.temperature == 0.0f) return top.front().id;
  // softmax(logit / T) over the candidates, in double; then the first whose running sum passes u.
  const double t = static_cast<double>(sampling.temperature);
  const double max = static_cast<double>(logits_row[static_cast<std::size_t>(top.front().id)]);
  std::vector<double> weight(top.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < top.size(); ++i)
    sum += weight[i] = std::exp((static_cast<double>(logits_row[static_cast<std::size_t>(top[i].id)]) - max) / t);
  const double u = detail::uniform_open(rng_state) * sum;
  double running = 0.0;
  for (std::size_t i = 0; i < top.size(); ++i)
    if ((running += weight[i]) >= u) return top[i].id;
  return top.back().id;  // u at the very top of the sum, lost to rounding
}

}  // namespace attn
