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

// detector_note for every head of `layer`, index = head (FigureOptions::head_notes).
std::vector<std::string> detector_notes(const attn::DetectorScores& scores, int layer);

// The detector scores of a checkpoint of a known task on its held-out batch — what `attnlab train`
// printed at the end of the run; none for a task this attnlab cannot generate (a custom model).
std::optional<attn::DetectorScores> checkpoint_detector_scores(const attn::Checkpoint& checkpoint);

// The generic detectors (previous-token, self, first-token) scored on the run's own text: for a
// model with no task to sample from (GPT-2 from a Hugging Face folder, a custom checkpoint).
attn::DetectorScores text_detector_scores(const ModelRun& run);

}  // namespace app
