// The model's answer in words: the most likely next tokens after a position of a run, with
// their probabilities, for the predictions panel (and, through the same function, any export).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model_run.hpp"

namespace app {

struct Prediction {
  std::string token;  // readable (engine/text/token_text)
  std::int32_t id = 0;
  float probability = 0.0f;
};

// The k most likely tokens to follow token `position` (0-based) of `run`, whose logits come from
// a model over `vocab`; empty when the position is outside the run or its logits are not
// computed yet (attn::LogitRows::Last).
std::vector<Prediction> predictions_after(const ModelRun& run, const std::vector<std::string>& vocab, int position,
                                          int k);

}  // namespace app
