// Train mode's rules: when a change needs confirmation, and the knock-out set.
#include "core/train_state.hpp"

#include "engine/train/tasks.hpp"
#include "engine/train/text_task.hpp"

#include <exception>

namespace app {

bool TrainChoices::operator==(const TrainChoices& o) const {
  const attn::TrainSettings &s = settings, &t = o.settings;
  return task == o.task && text_file == o.text_file && arch == o.arch && run.causal == o.run.causal &&
         run.positional == o.run.positional && run.temperature == o.run.temperature && s.lr == t.lr &&
         s.batch == t.batch && s.seq_len == t.seq_len && s.steps == t.steps && s.seed == t.seed &&
         s.weight_decay == t.weight_decay && s.warmup_steps == t.warmup_steps;
}

void derive_choices(TrainChoices& c, bool d_head_auto) {
  c.arch.learned_positions = c.run.positional == attn::Positional::Learned;
  c.arch.max_seq_len = c.settings.seq_len;
  // The text task's vocabulary is its BPE's, learned when the model is made: the model's own.
  if (const auto task = attn::make_task(c.task)) c.arch.vocab_size = task->vocab().size();
  if (d_head_auto && c.arch.n_heads > 0 && c.arch.d_model % c.arch.n_heads == 0)
    c.arch.d_head = c.arch.d_model / c.arch.n_heads;
}

TrainCommand command_for(TrainCommand::Kind kind, const TrainChoices& c) {
  TrainCommand command(kind);
  command.arch = c.arch;
  command.run = c.run;
  command.settings = c.settings;
  command.task = c.task;
  command.text_file = c.text_file;
  return command;
}

std::string choices_problem(const TrainChoices& c, bool d_head_auto) {
  if (d_head_auto && c.arch.n_heads > 0 && c.arch.d_model % c.arch.n_heads != 0)
    return "d_model (" + std::to_string(c.arch.d_model) + ") is not divisible by " + std::to_string(c.arch.n_heads) +
           " heads: untick \"auto\" and choose d_head";
  try {
    attn::validate(c.arch, c.run);
    attn::validate(c.settings);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool shapes_weights(const TrainChoices& a, const TrainChoices& b) {
  const bool a_table = a.run.positional == attn::Positional::Learned;
  const bool b_table = b.run.positional == attn::Positional::Learned;
  return a.task != b.task || a.text_file != b.text_file || a.arch.n_layers != b.arch.n_layers ||
         a.arch.d_model != b.arch.d_model || a.arch.n_heads != b.arch.n_heads || a.arch.d_head != b.arch.d_head ||
         a.arch.mlp != b.arch.mlp || a_table != b_table || a.settings.seq_len != b.settings.seq_len ||
         a.settings.seed != b.settings.seed;
}

ChangeOutcome classify_change(const TrainState& state) {
  if (state.choices == state.applied) return ChangeOutcome::Unchanged;
  if (!shapes_weights(state.applied, state.choices) || !state.trained) return ChangeOutcome::ApplyNow;
  return ChangeOutcome::AskFirst;
}

void confirm_pending(TrainState& state, bool discard_training) {
  if (!state.pending) return;
  if (!discard_training) state.choices = state.applied;
  state.pending.reset();
}

bool toggle_knock_out(TrainState& state, int layer, int head) {
  const std::size_t i = static_cast<std::size_t>(layer * state.n_heads + head);
  if (layer < 0 || head < 0 || head >= state.n_heads || i >= state.knocked_out.size()) return false;
  state.knocked_out[i] = state.knocked_out[i] ? 0 : 1;
  return state.knocked_out[i] != 0;
}

TrainChoices choices_of(const std::string& task, const attn::Arch& arch, const attn::RunOptions& run,
                        const attn::TrainSettings& settings, const std::string& text_file) {
  TrainChoices c;
  c.task = task;
  c.text_file = text_file;
  c.arch = arch;
  c.run = run;
  c.settings = settings;
  return c;
}

void on_new_model(TrainState& state, const TrainChoices& applied, int n_layers, int n_heads) {
  state.applied = applied;
  state.choices = applied;
  state.pending.reset();
  state.trained = false;
  state.n_heads = n_heads;
  state.knocked_out.assign(static_cast<std::size_t>(n_layers * n_heads), 0);
  state.timeline_position = 1.0;
  state.follow_latest = true;
  state.enlarged_layer = state.enlarged_head = -1;
  state.d_head_auto = applied.arch.d_head * applied.arch.n_heads == applied.arch.d_model;
  state.curve_detector = 0;
  if (state.example_task != applied.task) {
    if (applied.task == "text")
      state.example = attn::kTextTaskExample;
    else if (const auto task = attn::make_task(applied.task))
      state.example = task->example();
    state.example_task = applied.task;
  }
}

}  // namespace app

namespace app {

void text_task_defaults(TrainChoices& c) {
  // Measured with `attnlab train --task text --every 10` (README, Train mode): most of a step is
  // the 4096-way output, so few tokens a step (8 x 32) buy many steps a second; rotary positions
  // give a head the previous token's offset without a table to learn (a learned table or
  // sinusoids: no head above 0.2 in 30 s); eight narrow heads and a learning rate of 0.02 make
  // one head lock onto the previous token within seconds (four heads or 0.01: it hovers at 0.45).
  c.arch.n_layers = 2;
  c.arch.n_heads = 8;
  c.arch.d_model = 64;
  c.arch.d_head = c.arch.d_model / c.arch.n_heads;
  c.arch.mlp = false;
  c.run.positional = attn::Positional::Rope;
  c.run.causal = true;
  c.settings.seq_len = 32;
  c.settings.batch = 8;
  c.settings.lr = 0.02f;
  c.settings.steps = 1500;
}

}  // namespace app
