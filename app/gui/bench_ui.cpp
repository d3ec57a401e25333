// `attnlab bench-ui`: the real window, driven like a person would: typing a sentence one
// character per frame, then walking the head count from 1 to 16. Prints p50/p95/p99 per phase.
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

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
  const double cold_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - process_start).count();
  const std::size_t tokens = m_model.has_trace() ? m_model.trace().n_tokens() : 0;

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
  std::printf("# bench-ui: %zu frames, %zu tokens, d_model 512, d_head 32, heads 1-16, window %dx%d\n",
              total.size(), tokens, m_options.width, m_options.height);
  std::printf("cold_start_ms=%.1f\n", cold_ms);
  print_line("recompute", recompute);
  print_line("upload", upload);
  print_line("ui", ui);
  print_line("total", total);
  return 0;
}

}  // namespace app::gui
