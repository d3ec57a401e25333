// Notes from detector scores; the checkpoint's scores come from a Trainer's evaluation, the same
// held-out batch (seeded by the run's seed) that training measured.
#include "core/detector_notes.hpp"

#include <cstdio>
#include <stdexcept>

#include "engine/train/trainer.hpp"

namespace app {

std::string detector_note(const attn::DetectorScores& scores, int layer, int head) {
  if (layer < 0 || head < 0 || layer >= scores.n_layers || head >= scores.n_heads) return "";
  const std::size_t k = static_cast<std::size_t>(layer * scores.n_heads + head);
  const attn::Detector* best = nullptr;
  float best_score = kDetectorNoteMin;
  for (const attn::Detector& d : scores.reported) {
    const std::vector<float>& s = scores.score[static_cast<std::size_t>(d)];
    if (k < s.size() && s[k] >= best_score && (!best || s[k] > best_score)) {
      best = &d;
      best_score = s[k];
    }
  }
  if (!best) return "";
  char text[64];
  std::snprintf(text, sizeof text, "%s %.2f", std::string(attn::to_string(*best)).c_str(), static_cast<double>(best_score));
  return text;
}

std::vector<std::string> detector_notes(const attn::DetectorScores& scores, int layer) {
  std::vector<std::string> notes;
  for (int h = 0; h < scores.n_heads; ++h) notes.push_back(detector_note(scores, layer, h));
  return notes;
}

std::optional<attn::DetectorScores> checkpoint_detector_scores(const attn::Checkpoint& checkpoint) {
  if (!attn::make_task(checkpoint.task)) return std::nullopt;
  try {
    attn::Trainer trainer(checkpoint);
    return trainer.evaluate().detectors;
  } catch (const std::invalid_argument&) {
    return std::nullopt;  // a vocabulary or sequence length the task cannot sample for
  }
}

attn::DetectorScores text_detector_scores(const ModelRun& run) {
  // The cells Task::sample adds to every sequence, on this one: i -> i, and for i > 0 i -> i - 1
  // and i -> 0.
  attn::Sequence seq;
  seq.ids = run.input.ids;
  const int len = run.acts.T;
  for (int i = 0; i < len; ++i) {
    seq.cells[static_cast<std::size_t>(attn::Detector::Self)].push_back({i, i});
    if (i == 0) continue;
    seq.cells[static_cast<std::size_t>(attn::Detector::PreviousToken)].push_back({i, i - 1});
    seq.cells[static_cast<std::size_t>(attn::Detector::FirstToken)].push_back({i, 0});
  }
  return attn::score_detectors(run.acts, {seq},
                               {attn::Detector::PreviousToken, attn::Detector::Self, attn::Detector::FirstToken});
}

}  // namespace app
