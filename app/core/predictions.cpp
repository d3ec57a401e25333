// Next-token predictions of a run, in words.
#include "core/predictions.hpp"

#include <cmath>

#include "engine/model/predict.hpp"
#include "engine/text/token_text.hpp"

namespace app {

std::vector<Prediction> predictions_after(const ModelRun& run, const std::vector<std::string>& vocab, int position,
                                          int k) {
  const int n = static_cast<int>(run.input.ids.size());
  const int V = static_cast<int>(vocab.size());
  if (position < 0 || position >= n || V == 0 ||
      run.acts.logits.size() < static_cast<std::size_t>(n) * static_cast<std::size_t>(V))
    return {};
  const float* row = run.acts.logits.data() + static_cast<std::size_t>(position) * static_cast<std::size_t>(V);
  if (std::isnan(row[0])) return {};  // a row not computed yet (attn::LogitRows::Last)
  std::vector<Prediction> out;
  for (const attn::TokenProbability& t : attn::top_next_tokens(row, V, k))
    out.push_back({attn::token_text(vocab[static_cast<std::size_t>(t.id)]), t.id, t.probability});
  return out;
}

}  // namespace app
