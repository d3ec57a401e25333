// Notes from detector scores; the checkpoint's scores come from a Trainer's evaluation, the same
// held-out batch (seeded by the run's seed) that training measured.
#include "core/detector_notes.hpp"

#include <algorithm>
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
  std::snprintf(text, sizeof text, "%s %.2f", std::string(attn::to_string(*best)).c_str(),
                static_cast<double>(best_score));
  return text;
}

const char* detector_letter(attn::Detector d) {
  switch (d) {
    case attn::Detector::PreviousToken:
      return "P";
    case attn::Detector::FirstToken:
      return "F";
    case attn::Detector::Induction:
      return "I";
    case attn::Detector::Self:
      return "S";
    case attn::Detector::Reverse:
      return "R";
    case attn::Detector::Referent:
      return "A";
    case attn::Detector::DuplicateToken:
      return "D";
  }
  return "?";
}

StrongestDetector strongest_detector(const attn::DetectorScores& scores, int layer, int head) {
  StrongestDetector best;
  for (const attn::Detector d : scores.reported) {
    const float s = scores.at(d, layer, head);
    if (best.score < 0.0f || s > best.score) best = {d, s};
  }
  return best;
}

std::string detector_score_lines(const attn::DetectorScores& scores, int layer, int head) {
  std::string lines;
  for (const attn::Detector d : scores.reported) {
    char score[32];
    std::snprintf(score, sizeof score, " %.2f", static_cast<double>(scores.at(d, layer, head)));
    lines += "\n  " + std::string(attn::to_string(d)) + score;
  }
  return lines;
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

attn::Sequence sentence_cells(const std::vector<std::int32_t>& ids) {
  // The cells Task::sample adds to every sequence (i -> i, and for i > 0 i -> i - 1 and i -> 0),
  // and where the sentence repeats a token, from its copy to the latest earlier one (duplicate-
  // token) and to the token after that one (induction), as the text task scores them.
  attn::Sequence seq;
  seq.ids = ids;
  const int n = static_cast<int>(ids.size());
  auto& self = seq.cells[static_cast<std::size_t>(attn::Detector::Self)];
  auto& previous = seq.cells[static_cast<std::size_t>(attn::Detector::PreviousToken)];
  auto& first = seq.cells[static_cast<std::size_t>(attn::Detector::FirstToken)];
  auto& induction = seq.cells[static_cast<std::size_t>(attn::Detector::Induction)];
  auto& duplicate = seq.cells[static_cast<std::size_t>(attn::Detector::DuplicateToken)];
  for (int i = 0; i < n; ++i) {
    self.push_back({i, i});
    if (i == 0) continue;
    previous.push_back({i, i - 1});
    first.push_back({i, 0});
    for (int j = i - 1; j >= 0; --j) {  // the latest earlier copy, as the text task scores them
      if (ids[static_cast<std::size_t>(j)] != ids[static_cast<std::size_t>(i)]) continue;
      duplicate.push_back({i, j});
      if (j + 1 < i) induction.push_back({i, j + 1});
      break;
    }
  }
  return seq;
}

attn::DetectorScores text_detector_scores(const ModelRun& run) {
  const attn::Sequence seq = sentence_cells(run.input.ids);
  attn::DetectorScores scores = attn::score_detectors(run.acts, {seq}, kSentenceDetectors);
  // A detector with no cells here (induction without a repeat) says nothing.
  auto& reported = scores.reported;
  reported.erase(std::remove_if(reported.begin(), reported.end(),
                                [&](attn::Detector d) { return seq.cells[static_cast<std::size_t>(d)].empty(); }),
                 reported.end());
  return scores;
}

}  // namespace app
