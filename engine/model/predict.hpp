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

// How a model writes its next token: temperature 0 takes the most likely (greedy); above 0 the
// token is drawn from softmax(logits / temperature) over the top_k most likely (0: all of them).
// This "sampling temperature" reshapes the model's output distribution; the attention
// temperature (RunOptions::temperature) reshapes each head's softmax over keys instead.
struct Sampling {
  float temperature = 0.0f;
  int top_k = 40;
};

// One token drawn from a logits row as `sampling` says, advancing `rng_state` (splitmix64, so a
// seed gives the same text everywhere). Ties go to the smaller id. Throws std::invalid_argument
// for a non-finite logit, an empty vocabulary or a negative temperature or top_k.
std::int32_t sample_next_token(const float* logits_row, int vocab_size, const Sampling& sampling,
                               std::uint64_t& rng_state);

}  // namespace attn
