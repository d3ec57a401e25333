// What a model predicts next: the most likely tokens after one position, from its logits.
#pragma once
#include <cstdint>
#include <vector>

namespace attn {

struct TokenProbability {
  std::int32_t id = 0;
  float probability = 0.0f;  // softmax of the logits row, in [0, 1]
};

// logits_row (vocab_size) -> the k most likely ids with their softmax probabilities (summed in
// double), most likely first, ties by the smaller id; k is clamped to [0, vocab_size]. Throws
// std::invalid_argument for a non-finite logit (run_model has refused those already).
std::vector<TokenProbability> top_next_tokens(const float* logits_row, int vocab_size, int k);

}  // namespace attn
