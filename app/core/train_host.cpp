// The training worker: commands in, immutable progress out.
#include "core/train_host.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <new>
#include <optional>

#include "core/process_memory.hpp"
#include "core/thinning.hpp"
#include "core/train_memory.hpp"
#include "core/train_text.hpp"

namespace app {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kPublishSeconds = 0.03;  // at most ~30 publications a second while running

}  // namespace

TrainHost::TrainHost() : m_thread([this] { worker(); }) {}

TrainHost::~TrainHost() {
  post({TrainCommand::Kind::Quit});
  m_thread.join();
}

void TrainHost::post(TrainCommand command) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queue.push_back(std::move(command));
  }
  m_wake.notify_one();
}

std::shared_ptr<const TrainProgress> TrainHost::latest() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_latest;
}

void TrainHost::wait_idle() const {
  std::unique_lock<std::mutex> lock(m_mutex);
  m_idle.wait(lock, [&] { return m_queue.empty() && !m_busy; });
}

void TrainHost::worker() {
  auto last_publish = Clock::now();
  while (true) {
    TrainCommand command;
    bool have = false;
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      if (!m_running) {
        m_idle.notify_all();
        m_wake.wait(lock, [&] { return !m_queue.empty(); });
      }
      if (!m_queue.empty()) {
        command = std::move(m_queue.front());
        m_queue.pop_front();
        have = true;
        m_busy = true;
      }
    }
    if (have) {
      guarded([&] { handle(command); });
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_busy = false;
      }
      m_idle.notify_all();
      if (m_quit) return;
      continue;
    }
    guarded([&] { train_one_step(); });
    if (m_running && std::chrono::duration<double>(Clock::now() - last_publish).count() >= kPublishSeconds) {
      publish("");
      last_publish = Clock::now();
    }
  }
}

void TrainHost::guarded(const std::function<void()>& work) {
  // An exception must never leave the worker (std::terminate would take the window and the
  // unsaved model with it): training stops, the parameters of the last finished step stay
  // (a step changes them only in its last, allocation-free part), and the message says why.
  bool out_of_memory = false;
  std::string what;
  try {
    work();
    return;
  } catch (const std::bad_alloc&) {
    out_of_memory = true;
  } catch (const std::exception& e) {
    what = e.what();
  }
  m_running = false;
  m_steps_left = 0;
  if (m_trainer) m_trainer->release_step_buffers();
  try {
    std::string message;
    const std::string step = m_trainer ? std::to_string(m_trainer->steps_done()) : "0";
    if (out_of_memory && m_trainer) {
      const attn::TrainingMemory need =
          attn::training_memory(m_trainer->model().arch, m_trainer->model().run, m_trainer->settings());
      const std::optional<std::uint64_t> available = available_memory_bytes();
      message = "Out of memory at step " + step + ": training this model needs about " +
                attn::bytes_text(need.total()) + " (the machine has " +
                (available ? attn::bytes_text(*available) : std::string("an unknown amount")) +
                " available). Stopped; the model of step " + step + " is kept: lower the batch or the sequence length";
    } else if (out_of_memory) {
      message = "Out of memory: stopped";
    } else {
      message = "Stopped: " + what + (m_trainer ? " (the model of step " + step + " is kept)" : std::string());
    }
    publish_error(message);
  } catch (const std::exception&) {
    // Publishing copies the parameters when a step changed them; with memory this short even that
    // can fail. The worker stays alive and paused, and the next publication carries the state.
  }
}

std::string TrainHost::memory_refusal(const attn::Arch& arch, const attn::RunOptions& run,
                                      const attn::TrainSettings& settings, std::uint64_t freed) const {
  std::optional<std::uint64_t> available = available_memory_bytes();
  if (available) *available += freed;
  return window_training_refusal(arch, run, settings, available);
}

void TrainHost::handle(const TrainCommand& c) {
  using Kind = TrainCommand::Kind;
  switch (c.kind) {
    case Kind::Quit:
      m_quit = true;
      return;
    case Kind::Run:
      if (!m_trainer) return;
      if (m_diverged) return publish("The run diverged: reset to train again");
      if (m_trainer->steps_done() >= m_trainer->settings().steps) {
        // Train at the target means "more": the target moves on by as many steps again.
        attn::TrainSettings more = m_trainer->settings();
        more.steps =
            static_cast<int>(std::min<long long>(10000000, m_trainer->steps_done() + std::max(100, more.steps)));
        m_trainer->reconfigure(m_trainer->model().run, more);
        m_spec = std::make_shared<const attn::Checkpoint>(m_trainer->checkpoint());
      }
      m_running = true;
      m_steps_left = 0;
      return publish("Training to step " + std::to_string(m_trainer->settings().steps));
    case Kind::Pause:
      m_running = false;
      m_steps_left = 0;
      return publish(m_trainer ? "Paused at step " + std::to_string(m_trainer->steps_done()) : "");
    case Kind::Step:
      if (!m_trainer || m_diverged) return;
      m_running = false;
      train_one_step();
      return publish("Step " + std::to_string(m_trainer->steps_done()));
    case Kind::Configure:
      if (!m_trainer) return;
      if (c.settings.batch != m_trainer->settings().batch) {
        // The current batch's buffers are given back before the new ones are sized.
        const std::string refusal =
            memory_refusal(m_trainer->model().arch, c.run, c.settings, m_trainer->memory_held().total());
        if (!refusal.empty()) return publish_error(refusal);
      }
      try {
        m_trainer->reconfigure(c.run, c.settings);
      } catch (const std::exception& e) {
        return publish_error(e.what());
      }
      m_spec = std::make_shared<const attn::Checkpoint>(m_trainer->checkpoint());
      evaluate_and_record();
      return publish("Settings changed at step " + std::to_string(m_trainer->steps_done()));
    case Kind::SetKnockOut:
      if (!m_trainer) return;
      try {
        m_trainer->set_knocked_out(c.knocked_out);
      } catch (const std::exception& e) {
        return publish_error(e.what());
      }
      evaluate_and_record();
      return publish("");
    case Kind::EvaluateShown: {
      if (!m_trainer || !c.shown.params) return;
      auto answer = std::make_shared<ShownEvaluation>();
      answer->params = c.shown.params;
      answer->knocked_out = m_trainer->model().knocked_out;
      try {
        answer->point = curve_point(m_trainer->evaluate_params(*c.shown.params, c.shown.step), 0.0);
      } catch (const std::exception& e) {
        return publish(e.what());  // a snapshot of another model: nothing to show
      }
      m_shown_evaluation = std::move(answer);
      return publish("");
    }
    case Kind::Reset:
    case Kind::Load: {
      std::unique_ptr<attn::Trainer> next;
      try {
        // Before anything is allocated: the run must fit beside the model there is now (which
        // stays if it does not).
        if (c.kind == Kind::Load) {
          attn::TrainSettings trained = c.checkpoint->train;
          trained.seq_len = std::min(trained.seq_len, c.checkpoint->model.arch.max_seq_len);
          const std::string refusal = memory_refusal(c.checkpoint->model.arch, c.checkpoint->model.run, trained, 0);
          if (!refusal.empty()) return publish_error(refusal);
          next = std::make_unique<attn::Trainer>(*c.checkpoint);
        } else {
          // The text task learns its BPE first (seconds): the message says so meanwhile, and the
          // model there is now stays on screen until the new one exists.
          std::unique_ptr<attn::Task> task =
              c.task == "text" ? make_text_task(c.text_file, [&](const std::string& m) { publish(m); })
                               : attn::make_task(c.task);
          if (!task) throw std::invalid_argument("unknown task '" + c.task + "'");
          const std::string refusal =
              memory_refusal(attn::trained_arch(c.arch, c.run, c.settings, *task), c.run, c.settings, 0);
          if (!refusal.empty()) return publish_error(refusal);
          next = std::make_unique<attn::Trainer>(c.arch, c.run, c.settings, std::move(task));
        }
      } catch (const std::exception& e) {
        return publish_error(e.what());  // the current model stays
      }
      m_trainer = std::move(next);
      m_params_changed = true;
      m_text_file = c.kind == Kind::Load ? std::string() : c.text_file;  // a text checkpoint trains on English
      m_baselines = {};
      if (const auto* text = dynamic_cast<const attn::TextTask*>(&m_trainer->task()))
        m_baselines = text->baselines(m_trainer->eval_sequences());
      m_spec = std::make_shared<const attn::Checkpoint>(m_trainer->checkpoint());
      m_running = false;
      m_diverged = false;
      m_steps_left = 0;
      m_train_seconds = 0.0;
      m_curve.clear(kEvalEverySteps);
      m_timeline.clear();
      m_timeline_bytes = 0;
      m_timeline_spacing = kTimelineMinSpacing;
      m_shown_evaluation.reset();
      m_rate_window_seconds = 0.0;
      m_rate_window_steps = 0;
      m_steps_per_second = 0.0;
      ++m_model_generation;
      evaluate_and_record();
      m_timeline.push_back({m_trainer->steps_done(), params_copy()});
      m_timeline_bytes += m_trainer->model().params.size() * sizeof(float);
      return publish(c.kind == Kind::Load ? "Opened a model at step " + std::to_string(m_trainer->steps_done())
                                          : "New model: press Train");
    }
  }
}

void TrainHost::train_one_step() {
  if (!m_trainer) {
    m_running = false;
    return;
  }
  const auto t0 = Clock::now();
  const attn::StepResult r = m_trainer->step();
  m_params_changed = true;  // updated, or put back to the last good ones when diverged
  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  if (r.diverged) {
    m_running = false;
    m_diverged = true;
    char message[160];
    std::snprintf(message, sizeof message,
                  "Diverged: the loss was %g; stopped and kept the parameters of step %lld (try a lower "
                  "learning rate)",
                  static_cast<double>(r.loss), r.step);
    publish(message);
    return;
  }
  m_train_seconds += dt;
  m_rate_window_seconds += dt;
  ++m_rate_window_steps;
  if (m_rate_window_seconds >= 0.25) {
    m_steps_per_second = m_rate_window_steps / m_rate_window_seconds;
    m_rate_window_seconds = 0.0;
    m_rate_window_steps = 0;
  }
  const long long step = m_trainer->steps_done();
  if (step % kEvalEverySteps == 0) evaluate_and_record();
  if (step % m_timeline_spacing == 0) {
    const std::size_t bytes = m_trainer->model().params.size() * sizeof(float);
    m_timeline.push_back({step, params_copy()});  // the next publication shares this copy
    m_timeline_bytes += bytes;
    if (m_timeline_bytes > kTimelineBytes && m_timeline.size() > 2) {
      // Keep every other snapshot (step 0 included) and double the spacing from now on; the
      // newest goes too when off the new grid (the published params hold the model as it is).
      std::vector<ParamsAtStep> snapshots = m_timeline.to_vector();
      m_timeline_spacing = static_cast<int>(thin_by_doubling(
          snapshots, m_timeline_spacing, [](const ParamsAtStep& p) { return p.step; }, false));
      m_timeline.assign(std::move(snapshots));
      m_timeline_bytes = m_timeline.size() * bytes;
    }
  }
  if (step >= m_trainer->settings().steps && m_running) {
    m_running = false;
    if (step % kEvalEverySteps != 0) evaluate_and_record();
    publish("Reached the target of " + std::to_string(step) + " steps");
  }
}

void TrainHost::evaluate_and_record() {
  const attn::Evaluation e = m_trainer->evaluate();
  m_curve.add(curve_point(e, m_train_seconds));
  // With heads knocked out, the same step with every head in too: the "before" of the
  // knock-out's "before -> after" (one more forward on the held-out batch, only while knocked).
  m_intact.reset();
  const std::vector<std::uint8_t> knocked = m_trainer->model().knocked_out;
  if (std::none_of(knocked.begin(), knocked.end(), [](std::uint8_t k) { return k != 0; })) return;
  m_trainer->set_knocked_out(std::vector<std::uint8_t>(knocked.size(), 0));
  m_intact = curve_point(m_trainer->evaluate(), m_train_seconds);
  m_trainer->set_knocked_out(knocked);
}

void BoundedCurve::add(std::shared_ptr<const CurvePoint> point) {
  const bool replace_newest =
      !points.empty() && (points.back()->step == point->step || points.back()->step % spacing != 0);
  if (replace_newest)
    points.set_back(std::move(point));
  else
    points.push_back(std::move(point));
  if (points.size() <= max_points || points.size() < 3) return;
  // Thinning rewrites the whole list, once per doubling of the spacing.
  std::vector<std::shared_ptr<const CurvePoint>> all = points.to_vector();
  spacing = thin_by_doubling(
      all, spacing, [](const std::shared_ptr<const CurvePoint>& p) { return p->step; }, true);
  points.assign(std::move(all));
}

void BoundedCurve::clear(long long first_spacing) {
  points.clear();
  spacing = first_spacing;
}

std::shared_ptr<const std::vector<float>> TrainHost::params_copy() {
  if (m_params_changed || !m_params) {
    m_params = std::make_shared<const std::vector<float>>(m_trainer->model().params);
    m_params_changed = false;
  }
  return m_params;
}

void TrainHost::publish_error(const std::string& message) { publish(message, true); }

void TrainHost::publish(const std::string& message, bool error) {
  auto p = std::make_shared<TrainProgress>();
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_latest) *p = *m_latest;  // keeps the previous message when this one is empty
  }
  p->generation = ++m_generation;
  p->model_generation = m_model_generation;
  if (!message.empty()) {
    p->message = message;
    p->error = error;
    p->message_generation = p->generation;
  }
  if (m_trainer) {
    p->model = m_spec;
    // The parameters are copied only when a step, reset or load changed them since the last copy
    // (when the timeline kept this step, its snapshot is that copy); a message, pause, knock-out,
    // settings change or evaluation shares it. While running, publications come at most every
    // kPublishSeconds (about 33 a second, no faster than the window draws frames and takes the
    // newest), each with the newest step's parameters: the views move with training and
    // `params` is always the model of `step`. One copy moves 4 bytes a parameter where a step
    // does about 6 x batch x seq_len operations a parameter, so training hardly notices.
    p->params = params_copy();
    p->knocked_out = m_trainer->model().knocked_out;
    p->intact = m_intact;
    p->text_file = m_text_file;
    p->unigram_bpb = m_baselines.unigram_bpb;
    p->bigram_bpb = m_baselines.bigram_bpb;
    p->step = m_trainer->steps_done();
    p->steps_per_second = m_running ? m_steps_per_second : 0.0;
    p->tokens_per_second = p->steps_per_second * m_trainer->settings().batch * m_trainer->settings().seq_len;
  }
  p->running = m_running;
  p->diverged = m_diverged;
  p->curve = m_curve.points;  // shared storage: one pointer each, not the points
  p->timeline = m_timeline;
  p->timeline_bytes = m_timeline_bytes;
  p->shown_evaluation = m_shown_evaluation;
  std::lock_guard<std::mutex> lock(m_mutex);
  m_latest = std::move(p);
}

std::shared_ptr<const CurvePoint> curve_point(const attn::Evaluation& e, double seconds) {
  auto point = std::make_shared<CurvePoint>();
  point->step = e.step;
  point->seconds = seconds;
  point->loss = e.loss;
  point->accuracy = e.accuracy;
  point->bits_per_byte = e.bits_per_byte;
  point->detectors = e.detectors;
  return point;
}

attn::Checkpoint trained_checkpoint(const TrainProgress& progress) {
  if (!progress.model || !progress.params) throw std::invalid_argument("there is no model to save");
  attn::Checkpoint c = *progress.model;
  c.model.params = *progress.params;
  c.step = progress.step;
  return c;
}

int timeline_index(const TrainProgress& progress, double position) {
  if (progress.timeline.empty()) return -1;
  const double target = std::clamp(position, 0.0, 1.0) * static_cast<double>(progress.timeline.back().step);
  int best = 0;
  double best_distance = INFINITY;
  for (std::size_t i = 0; i < progress.timeline.size(); ++i) {
    const double d = std::fabs(static_cast<double>(progress.timeline[i].step) - target);
    if (d < best_distance) {
      best_distance = d;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace app
