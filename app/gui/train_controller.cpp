// Train mode from the window: the first start, the commands posted to the training worker, its
// newest progress taken at the start of a frame and the model view built from it.
#include "gui/train_controller.hpp"

#include "gui/app.hpp"

#include "core/lessons.hpp"
#include "core/train_text.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "gui/commands.hpp"

namespace app::gui {

void App::start_training() {
  // The first start trains the sentences lesson's model from step 0 (a saved session later opens
  // the trained lesson, where this run ends); --model / --lesson open another; --new TASK
  // (or a lesson that cannot be read) makes a fresh model with the default shape (--heads sets
  // its head count).
  const std::string path = m_options.model_path.empty() || m_state.model_path == m_options.model_path
                               ? lesson_path("sentences")
                               : m_options.model_path;
  if (m_options.first_start && train_from_step_0(path)) {
    // The first start: the lesson's model learns while the person watches.
  } else if (!m_options.new_task.empty() || !open_model(path)) {
    TrainChoices fresh;
    fresh.task = m_options.new_task.empty() ? fresh.task : m_options.new_task;
    const auto task = attn::make_task(fresh.task);
    if (task)
      fresh.settings.seq_len = task->default_seq_len();
    else
      text_task_defaults(fresh);  // --new text: the English corpus, learned by the worker
    if (!m_options.new_task.empty() && m_options.model_flags_given) {
      // --new TASK --heads H: that many heads of d_model / H each, derived like the controls do.
      TrainChoices wanted = fresh;
      wanted.arch.n_heads = m_options.input.config.n_heads;
      derive_choices(wanted, true);
      const std::string problem = choices_problem(wanted, true);
      if (problem.empty())
        fresh = wanted;
      else
        set_status("--heads for the new model: " + problem, true);
    }
    m_host.post(command_for(TrainCommand::Kind::Reset, fresh));
    m_state.train.example = task ? task->example() : attn::kTextTaskExample;
    m_state.train.example_task = fresh.task;
  }
  if (m_options.example_given) m_state.train.example = m_options.example;
  m_host.wait_idle();  // the model is ready for the first frame (a few milliseconds)
}

void App::take_train_progress() {
  m_progress = m_host.latest();
  // A refusal or failure of the training worker (not enough memory, a step that threw) goes to
  // the status bar too, once each.
  if (m_progress && m_progress->error && m_progress->message_generation != m_seen_train_error) {
    m_seen_train_error = m_progress->message_generation;
    set_status(m_progress->message, true);
    // A refused reset (a text file too short, no memory): the controls show the model there is.
    if (m_progress->model && !m_state.train.pending) {
      const attn::Checkpoint& spec = *m_progress->model;
      m_state.train.applied = m_state.train.choices =
          choices_of(spec.task, spec.model.arch, spec.model.run, spec.train, m_progress->text_file);
    }
  }
  if (!m_progress || !m_progress->model) return;
  const attn::Checkpoint& spec = *m_progress->model;
  if (m_progress->model_generation != m_seen_model_generation) {
    m_seen_model_generation = m_progress->model_generation;
    on_new_model(m_state.train,
                 choices_of(spec.task, spec.model.arch, spec.model.run, spec.train, m_progress->text_file),
                 spec.model.arch.n_layers, spec.model.arch.n_heads);
    if (!m_start_knock_outs_done) {  // --knock-out: a test hook, applied to the first model
      m_start_knock_outs_done = true;
      bool any = false;
      for (const auto& [layer, head] : m_options.knock_outs) any |= toggle_knock_out(m_state.train, layer, head);
      if (any) {
        TrainCommand knock(TrainCommand::Kind::SetKnockOut);
        knock.knocked_out = m_state.train.knocked_out;
        m_host.post(std::move(knock));
        settle_scripted_run();
      }
    }
  }
  m_state.train.trained = m_progress->step > 0;
  // The trainer may move the target on (Train at the target): the controls follow.
  TrainState& t = m_state.train;
  if (!t.pending && t.choices == t.applied && t.applied.settings.steps != spec.train.steps)
    t.applied.settings.steps = t.choices.settings.steps = spec.train.steps;
}

void App::update_train_view() {
  if (!m_progress) return;
  // Knock-outs on a scrubbed-back timeline: ask the worker to evaluate that step with them, once.
  const ParamsAtStep need = shown_evaluation_needed(*m_progress, m_state.train);
  if (need.params && (need.params != m_requested_evaluation || m_state.train.knocked_out != m_requested_knocked_out)) {
    TrainCommand evaluate(TrainCommand::Kind::EvaluateShown);
    evaluate.shown = need;
    m_host.post(std::move(evaluate));
    m_requested_evaluation = need.params;
    m_requested_knocked_out = m_state.train.knocked_out;
    settle_scripted_run();  // the next frame's progress has the evaluation
  }
  m_train_view.update(*m_progress, m_state.train);
  const ModelRun& run = m_train_view.run();
  if (run.n_layers() == 0) return;
  if (m_train_view.generation() == m_train_uploaded && m_textures_mode == Mode::Train) return;
  m_layer_views.clear();
  for (int l = 0; l < run.n_layers(); ++l) {
    m_layer_views.push_back(make_layer_ranges(run.layer(l)));
    m_renderer.upload(run.layer(l), l);
  }
  m_train_uploaded = m_train_view.generation();
  m_textures_mode = Mode::Train;
  m_textures_hosted = false;
}

bool App::train_from_step_0(const std::string& path) {
  std::shared_ptr<attn::Checkpoint> lesson;
  try {
    lesson = std::make_shared<attn::Checkpoint>(attn::load_checkpoint(path));
    if (!attn::make_task(lesson->task)) return false;
  } catch (const std::exception&) {
    return false;  // the caller makes a fresh model and says so
  }
  // The lesson's own shape, settings and seed: the run ends where the shipped lesson is.
  TrainCommand reset(TrainCommand::Kind::Reset);
  reset.arch = lesson->model.arch;
  reset.run = lesson->model.run;
  reset.settings = lesson->train;
  reset.task = lesson->task;
  m_host.post(std::move(reset));
  m_host.post(TrainCommand(TrainCommand::Kind::Run));
  m_state.train.example = example_text(*lesson);
  m_state.train.example_task = lesson->task;
  set_status("The sentences lesson learns from step 0: watch its heads form (" + shortcut_text(Command::TrainOrPause) +
                 " pauses, F1 lists the keys)",
             false);
  return true;
}

void App::settle_scripted_run() {
  // Scripted runs (tests, figures) show what a command asked for in the next frame, however slow
  // the machine (a sanitizer build), as a person who waits a moment would see it.
  if (m_options.frames > 0) m_host.wait_idle();
}

bool App::open_model(const std::string& path) {
  std::shared_ptr<attn::Checkpoint> checkpoint;
  try {
    checkpoint = std::make_shared<attn::Checkpoint>(attn::load_checkpoint(path));
    attn::make_task_for(*checkpoint);  // a task this attnlab can train, and for a text model its corpus
  } catch (const std::exception& e) {
    set_status(std::string("Model not opened: ") + e.what(), true);
    return false;
  }
  m_state.train.example = example_text(*checkpoint);
  m_state.train.example_task = checkpoint->task;
  TrainCommand load(TrainCommand::Kind::Load);
  load.checkpoint = checkpoint;
  m_host.post(std::move(load));
  m_state.mode = Mode::Train;
  set_status("Opened model " + path, false);
  return true;
}

void App::save_model(const std::string& path) {
  if (!m_progress) throw std::invalid_argument("there is no model to save");
  attn::save_checkpoint(trained_checkpoint(*m_progress), path);
}

void App::save_hf_folder(const std::string& path) {
  if (!m_progress) throw std::invalid_argument("there is no model to save");
  const attn::Checkpoint c = trained_checkpoint(*m_progress);
  const std::string why = attn::hf_gpt2_refusal(c.model);
  if (!why.empty())
    throw std::invalid_argument("GPT-2 cannot express this model: " + why +
                                ". Train one with MLP after attention and a learned position table, or save it "
                                "as a .npz with File > Save model");
  if (c.tokenizer)
    attn::save_hf_gpt2(c.model, *c.tokenizer, path);
  else
    attn::save_hf_gpt2(c.model, c.vocab, path);
}

void choose_text_file(TrainState& train, const std::string& path) {
  text_corpus(path);  // a bad file is the prompt's message; the model trained so far stays
  TrainChoices& c = train.choices;
  if (c.task != "text") {
    text_task_defaults(c);
    train.d_head_auto = true;
  }
  c.task = "text";
  c.text_file = path;
}

}  // namespace app::gui
