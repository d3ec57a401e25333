// Head detectors turn "a head formed" into a number: a head's score for a detector is its mean
// attention weight on the detector's cells (see engine/train/tasks.hpp), in [0, 1].
#pragma once
#include <array>
#include <vector>

#include "engine/model/transformer.hpp"
#include "engine/train/tasks.hpp"

namespace attn {

struct HeadScore {
  int layer = -1, head = -1;  // from 0; -1 when the detector has no cells
  float score = 0.0f;
};

struct DetectorScores {
  int n_layers = 0, n_heads = 0;
  std::vector<Detector> reported;                        // the task's detectors, in its order
  std::array<std::vector<float>, kDetectorCount> score;  // (n_layers * n_heads) each; empty if not reported

  float at(Detector d, int layer, int head) const {
    return score[static_cast<int>(d)][static_cast<std::size_t>(layer * n_heads + head)];
  }
  HeadScore best(Detector d) const;  // the highest-scoring head (the first on ties)
};

// acts: a forward over seqs packed as a batch (seqs[b] is row b). Only `which` are scored.
DetectorScores score_detectors(const Activations& acts, const std::vector<Sequence>& seqs,
                               const std::vector<Detector>& which);

}  // namespace attn
