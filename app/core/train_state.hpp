// The window's Train mode as plain data: what the person chose, what the trainer runs, the
// confirmation a weight-shaping change needs, the knocked-out heads and the timeline cursor.
// No GL and no threads, so its rules are tested headless.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/train_host.hpp"
#include "engine/model/arch.hpp"

namespace app {

enum class Mode { Explore, Train };

// What shapes and trains a model, as the controls set it.
struct TrainChoices {
  std::string task = "sentences";
  std::string text_file;  // the text task's text: "" the English corpus, else this file
  attn::Arch arch;        // vocab_size and max_seq_len come from the task and settings
  attn::RunOptions run;
  attn::TrainSettings settings;

  bool operator==(const TrainChoices& o) const;
  bool operator!=(const TrainChoices& o) const { return !(*this == o); }
};

// Fills in what follows from the other choices, so that two equal-looking choices compare equal
// and the engine accepts them: the position table from the positions, max_seq_len from the
// sequence length, the vocabulary size from the task, and (when d_head_auto) d_head = d_model /
// heads.
void derive_choices(TrainChoices& choices, bool d_head_auto);
// The trainer's command (a Reset, or a Configure) that carries these choices.
TrainCommand command_for(TrainCommand::Kind kind, const TrainChoices& choices);
// Why these choices cannot make a model, or "" when they can.
std::string choices_problem(const TrainChoices& choices, bool d_head_auto);

// True when going from `a` to `b` needs new weights: the task, the architecture, or positions
// that change whether a position table exists. Learning rate, batch, steps, temperature, the mask
// and the other positions apply to the model as it is.
bool shapes_weights(const TrainChoices& a, const TrainChoices& b);

struct TrainState {
  TrainChoices choices;  // the controls
  TrainChoices applied;  // what the trainer's model was made with
  bool trained = false;  // the model has had at least one update (so a reset loses work)
  // A weight-shaping change waiting for "Discard training?": the choices to apply on yes.
  std::optional<TrainChoices> pending;
  std::string example;                          // the text the views run the model on (the task's vocabulary)
  std::string example_task;                     // the task `example` was written for: a new task brings its own
  std::vector<std::uint8_t> knocked_out;        // (layers * heads), 1 = output zeroed
  int n_heads = 0;                              // of the applied model, for knocked_out's indexing
  double timeline_position = 1.0;               // 0 = step 0, 1 = now
  bool follow_latest = true;                    // the views follow training; false once the person scrubs back
  int enlarged_layer = -1, enlarged_head = -1;  // a head shown alone, or -1
  bool d_head_auto = true;                      // the d_head control follows d_model / heads
  int curve_detector = 0;                       // which of the task's detectors the head-score plot shows
};

// The choices that made a model (its checkpoint's task, shape, run options and settings, and for
// the text task where its text came from).
TrainChoices choices_of(const std::string& task, const attn::Arch& arch, const attn::RunOptions& run,
                        const attn::TrainSettings& settings, const std::string& text_file = "");

// The text task's defaults for the window (Train mode's knobs start here when a person picks
// English text or a file): small enough that a previous-token head passes 0.5 within 30 s of
// training on this machine's one core (README: Train mode, the measurement). d_head is
// d_model / heads (the controls' "auto").
void text_task_defaults(TrainChoices& choices);

// What a change of the controls needs: apply at once (nothing to lose, or nothing that shapes the
// weights changed), or ask first.
enum class ChangeOutcome { ApplyNow, Unchanged, AskFirst };
ChangeOutcome classify_change(const TrainState& state);

// The person answered the confirmation: yes applies `pending`, no puts the controls back.
void confirm_pending(TrainState& state, bool discard_training);

// Knocks head (layer, head) out, or back in; returns its new state (true = knocked out).
bool toggle_knock_out(TrainState& state, int layer, int head);

// A new model was made (reset or opened): no head is knocked out, the views follow training; a
// model of another task than the example's replaces the example with that task's.
void on_new_model(TrainState& state, const TrainChoices& applied, int n_layers, int n_heads);

}  // namespace app
