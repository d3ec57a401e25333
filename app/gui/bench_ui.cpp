// `attnlab bench-ui`: the real window, driven like a person would: typing a sentence one
// character per frame, then walking the head count from 1 to 16. Prints p50/p95/p99 per phase.
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/process_memory.hpp"
#include "gui/app.hpp"

namespace app::gui {

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void print_line(const char* name, const std::vector<double>& v) {
  std::printf("%s p50=%.2f p95=%.2f p99=%.2f\n", name, percentile(v, 50), percentile(v, 95), percentile(v, 99));
}

// 60 characters typed one per frame; in character mode the prefix plus the typed letters make
// 64 tokens at the end, the size the speed target is set for.
constexpr const char* kTyped = "Attention lets every token look at every other token at once";
constexpr const char* kPrefix = "Look: all of this ";

}  // namespace

ModelInput App::bench_input() {
  ModelInput input;
  input.config.d_model = 512;
  input.config.d_head = 32;  // explicit, so every head count from 1 to 16 is valid
  input.config.n_heads = 16;
  input.d_model_given = true;
  input.tokenizer = attn::TokenizerMode::Char;
  input.text = std::string(kPrefix) + kTyped;
  return input;
}

int App::run_bench(std::chrono::steady_clock::time_point process_start) {
  std::vector<double> recompute, upload, ui, total;
  // The window opened on bench_input(); the end of its first frame is the cold start.
  glfwPollEvents();
  frame();
  const double cold_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - process_start).count();
  const std::size_t tokens = m_model.has_run() ? m_model.run().n_tokens() : 0;

  const auto record = [&](const FrameTimes& t) {
    recompute.push_back(t.recompute_ms);
    upload.push_back(t.upload_ms);
    ui.push_back(std::max(0.0, t.total_ms - t.recompute_ms - t.upload_ms));
    total.push_back(t.total_ms);
  };
  const std::string typed = kTyped;
  for (int round = 0; round < 3 && !glfwWindowShouldClose(m_window); ++round) {
    m_state.input.config.n_heads = 16;
    for (std::size_t i = 0; i <= typed.size(); ++i) {  // one keystroke per frame
      m_state.input.text = std::string(kPrefix) + typed.substr(0, i);
      glfwPollEvents();
      record(frame());
    }
    for (int heads = 1; heads <= 16; ++heads) {  // the head count walks 1..16, a few frames each
      m_state.input.config.n_heads = heads;
      for (int f = 0; f < 3; ++f) {
        glfwPollEvents();
        record(frame());
      }
    }
  }
  std::printf("# bench-ui: %zu frames, %zu tokens, d_model 512, d_head 32, heads 1-16, window %dx%d\n", total.size(),
              tokens, m_options.width, m_options.height);
  std::printf("cold_start_ms=%.1f\n", cold_ms);
  print_line("recompute", recompute);
  print_line("upload", upload);
  print_line("ui", ui);
  print_line("total", total);
  return 0;
}

int App::run_bench_model() {
  using Clock = std::chrono::steady_clock;
  const auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  const auto frame_period = std::chrono::microseconds(16667);  // as with vsync on a monitor
  auto next = Clock::now();
  std::vector<double> frames;
  const auto draw = [&] {
    glfwPollEvents();
    frames.push_back(frame().total_ms);
    next += frame_period;
    std::this_thread::sleep_until(next);
  };
  // The load: frames go on while the worker reads the folder.
  const auto t_load = Clock::now();
  m_state.input.text = "The";
  while ((m_hosted.loading || !m_hosted.result) && m_hosted.load_error.empty() && !glfwWindowShouldClose(m_window))
    draw();
  if (!m_hosted.model) {
    std::fprintf(stderr, "attnlab: bench-ui --model: %s\n", m_hosted.load_error.c_str());
    return 1;
  }
  const double load_ms = ms_since(t_load);
  std::vector<double> load_frames;
  load_frames.swap(frames);
  // A sentence of 31 tokens in the model's tokenizer; each keystroke then changes its end ("!" or
  // "?"), so every new result has 32 tokens, the size the speed target is set for.
  constexpr const char* kLong =
      "The teacher asked the class why the animal did not cross the street, and a student said that it was too "
      "tired after the long walk through the old town on a warm afternoon in the summer";
  std::string base = kLong;
  while (m_hosted.model->bpe.encode(base).size() > 31 && base.find(' ') != std::string::npos)
    base = base.substr(0, base.find_last_of(' '));
  std::vector<double> latency, compute;
  std::size_t tokens = 0;
  for (int key = 0; key < 40 && !glfwWindowShouldClose(m_window); ++key) {
    const std::string text = base + (key % 2 ? "?" : "!");
    m_state.input.text = text;
    const auto t0 = Clock::now();
    do draw();
    while (!(m_hosted.result && m_hosted.result->text == text) && m_hosted.error.empty() &&
           !glfwWindowShouldClose(m_window));
    latency.push_back(ms_since(t0));
    if (m_hosted.result) compute.push_back(m_hosted.result->compute_ms);
    tokens = m_hosted.result ? m_hosted.result->run.input.ids.size() : 0;
    for (int f = 0; f < 3; ++f) draw();  // a person reads between keystrokes
  }
  // Which heads matter: every head knocked out in turn, the map filled in as the frames go on.
  const auto t_importance = Clock::now();
  m_state.model_importance = true;
  while (!(m_hosted.importance && m_hosted.importance->done == m_hosted.importance->total &&
           m_hosted.importance->total > 0) &&
         m_hosted.error.empty() && !glfwWindowShouldClose(m_window))
    draw();
  const double importance_ms = ms_since(t_importance);
  m_state.model_importance = false;
  const attn::Arch& a = m_hosted.model->model.arch;
  std::printf(
      "# bench-ui --model %s: %d layers, %d heads of %d, d_model %d; %zu tokens; window %dx%d at up to 60 "
      "frames per second; the model runs on its own thread\n",
      m_hosted.model->name.c_str(), a.n_layers, a.n_heads, a.d_head, a.d_model, tokens, m_options.width,
      m_options.height);
  std::printf("load_ms=%.0f (frames while loading: %zu, p99 %.1f ms)\n", load_ms, load_frames.size(),
              percentile(load_frames, 99));
  print_line("keystroke_to_attention_ms", latency);
  print_line("compute_ms", compute);  // the worker's part: tokens and the forward
  print_line("frame_ms", frames);
  std::printf("importance_ms=%.0f (%d heads knocked out in turn)\n", importance_ms, a.n_layers * a.n_heads);
  return 0;
}

void App::start_bench_training() {
  glfwPollEvents();
  frame();  // takes the fresh model
  // A target no run reaches, so training never pauses by itself; the controls apply it.
  m_state.train.choices.settings.steps = 10000000;  // the most a run takes: 19 hours at 140 steps a second
  glfwPollEvents();
  frame();
  m_host.wait_idle();
  m_host.post(TrainCommand::Kind::Run);
  m_host.wait_idle();
}

int App::run_bench_train() {
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const auto step_now = [this] {
    const auto p = m_host.latest();
    return p ? p->step : 0;
  };
  start_bench_training();

  // 1. Training alone: no frames, the UI thread asleep.
  const long long alone_start = step_now();
  const auto t_alone = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const double alone = static_cast<double>(step_now() - alone_start) / seconds_since(t_alone);

  // 2. Training while the window draws at 60 frames a second, as with vsync on a monitor.
  std::vector<double> total;
  const long long with_start = step_now();
  const auto t_with = Clock::now();
  const auto frame_period = std::chrono::microseconds(16667);
  auto next = Clock::now();
  while (seconds_since(t_with) < 6.0 && !glfwWindowShouldClose(m_window)) {
    glfwPollEvents();
    total.push_back(frame().total_ms);
    next += frame_period;
    std::this_thread::sleep_until(next);
  }
  const double with_window = static_cast<double>(step_now() - with_start) / seconds_since(t_with);
  m_host.post(TrainCommand::Kind::Pause);
  m_host.wait_idle();

  std::printf(
      "# bench-ui --train: induction, 2 layers, 4 heads, d_model 64, attention-only, batch 32 x 32; "
      "window %dx%d, %zu frames at up to 60 per second\n",
      m_options.width, m_options.height, total.size());
  print_line("frame_ms", total);
  std::printf("steps_per_second alone=%.1f with_window=%.1f ratio=%.2f\n", alone, with_window,
              alone > 0.0 ? with_window / alone : 0.0);
  return 0;
}

int App::run_bench_train_soak(double minutes) {
  using Clock = std::chrono::steady_clock;
  start_bench_training();
  // What long training keeps: the timeline (bounded by kTimelineBytes) and one curve point per
  // evaluation (every kEvalEverySteps steps, unbounded but small).
  const auto report = [this](const char* when, double minute, const std::vector<double>& frames) {
    const auto p = m_host.latest();
    std::printf(
        "%s minute=%.1f step=%lld running=%d rss_kb=%.0f timeline_snapshots=%zu timeline_kb=%.0f curve_points=%zu",
        when, minute, p ? p->step : 0LL, p && p->running ? 1 : 0, static_cast<double>(resident_bytes()) / 1024.0,
        p ? p->timeline.size() : 0, p ? static_cast<double>(p->timeline_bytes) / 1024.0 : 0.0, p ? p->curve.size() : 0);
    if (!frames.empty())
      std::printf(" frame_ms_p50=%.2f frame_ms_p99=%.2f", percentile(frames, 50), percentile(frames, 99));
    std::printf("\n");
    std::fflush(stdout);
  };
  std::printf(
      "# bench-ui --train --minutes %g: induction, 2 layers, 4 heads, d_model 64, attention-only, "
      "batch 32 x 32; window %dx%d drawing at up to 60 frames per second\n",
      minutes, m_options.width, m_options.height);
  const std::size_t rss_start = resident_bytes();
  report("start", 0.0, {});
  const auto t0 = Clock::now();
  const auto minutes_since_start = [&] { return std::chrono::duration<double>(Clock::now() - t0).count() / 60.0; };
  const auto frame_period = std::chrono::microseconds(16667);
  auto next = Clock::now();
  std::vector<double> frames;  // since the last line
  int whole_minutes = 0;
  while (minutes_since_start() < minutes && !glfwWindowShouldClose(m_window)) {
    glfwPollEvents();
    frames.push_back(frame().total_ms);
    next += frame_period;
    std::this_thread::sleep_until(next);
    if (minutes_since_start() >= whole_minutes + 1 && whole_minutes + 1 < minutes) {
      report("at", ++whole_minutes, frames);
      frames.clear();
    }
  }
  report("end", minutes_since_start(), frames);
  m_host.post(TrainCommand::Kind::Pause);
  m_host.wait_idle();
  std::printf("rss_growth_kb=%.0f (the timeline is capped at %zu MB)\n",
              (static_cast<double>(resident_bytes()) - static_cast<double>(rss_start)) / 1024.0, kTimelineBytes >> 20);
  return 0;
}

}  // namespace app::gui
