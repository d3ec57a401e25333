// What a head is doing, as a few words under its title in the model figures and the training
// movie: "previous-token 0.93". One rule, so every figure names heads the same way.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/model_run.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/train/detectors.hpp"

namespace app {

// Below this a head is not said to do a detector's job (the window's titles use the same bar).
inline constexpr float kDetectorNoteMin = 0.3f;

// The task detector on which head (layer, head) scores highest, with its score, when that score is
// at least kDetectorNoteMin: "previous-token 0.93"; "" otherwise or when the scores have no such
// head. Ties go to the detector the task lists first.
std::string detector_note(const attn::DetectorScores& scores, int layer, int head);

// The letter the model overview marks a head with (window and figure): P, F, I, S, R, A, D.
const char* detector_letter(attn::Detector d);
// The overview marks a head's strongest pattern when it scores at least this.
inline constexpr float kOverviewMarkScore = 0.4f;
// The head's strongest reported detector on these scores; its score is -1 when none is reported.
struct StrongestDetector {
  attn::Detector detector = attn::Detector::PreviousToken;
  float score = -1.0f;
};
StrongestDetector strongest_detector(const attn::DetectorScores& scores, int layer, int head);

// Every reported detector's score of head (layer, head), a line each ("\n  previous-token 0.45"):
// what the window's tooltips list under a head.
std::string detector_score_lines(const attn::DetectorScores& scores, int layer, int head);

// detector_note for every head of `layer`, index = head (FigureOptions::head_notes).
std::vector<std::string> detector_notes(const attn::DetectorScores& scores, int layer);

// The detector scores of a checkpoint of a known task on its held-out batch — what `attnlab train`
// printed at the end of the run; none for a task this attnlab cannot generate (a custom model).
std::optional<attn::DetectorScores> checkpoint_detector_scores(const attn::Checkpoint& checkpoint);

// The detectors a sentence of its own can score, in the order they are listed.
inline const std::vector<attn::Detector> kSentenceDetectors = {
    attn::Detector::PreviousToken, attn::Detector::Self, attn::Detector::FirstToken, attn::Detector::DuplicateToken,
    attn::Detector::Induction};
// Their cells on one sentence: self (i, i); previous-token (i, i-1) and first-token (i, 0) for
// i >= 1; where token i repeats, with j its latest earlier copy, duplicate-token (i, j) and (when
// j < i-1) induction (i, j+1).
attn::Sequence sentence_cells(const std::vector<std::int32_t>& ids);

// Those detectors scored on the run's own text, reporting only those with cells here (duplicate-
// token and induction need a repeated token): for a model with no task to sample from (GPT-2 from a Hugging Face
// folder, a custom checkpoint), in figures and the window's opened-model views.
attn::DetectorScores text_detector_scores(const ModelRun& run);

}  // namespace app
