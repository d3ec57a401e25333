// The step-through in the real window: a click on a cell opens it for that query and key, its
// numbers are the engine's, and the teaching toggle changes them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "core/colormap.hpp"
#include "core/model_input.hpp"
#include "gui_harness.hpp"

namespace {

const char* const kArgs =
    "--no-settings --text \"The animal didn't cross the street because it was too tired.\" --heads 4 --seed 7";

attn::SequenceRun expected_run() {
  app::ModelInput input;
  input.text = "The animal didn't cross the street because it was too tired.";
  input.config.n_heads = 4;
  input.config.seed = 7;
  return app::compute_run(input, app::resolve_model(input));
}

}  // namespace

TEST_CASE("clicking a cell opens the step-through with the engine's query, key and weights", "[gui][step]") {
  const gui_test::Run run =
      gui_test::run_window(std::string(kArgs) + " --click-cell 2,8,2@3 --key right@5 --key right@7", 10);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json& st = run.layout["step_through"];
  REQUIRE(st.is_object());
  CHECK(st["head"] == 1);
  CHECK(st["query"] == 7);  // "it"
  CHECK(st["key"] == 1);    // "animal"
  CHECK(st["step"] == 3);   // two steps on
  const attn::SequenceRun run_t = expected_run();
  const attn::LayerView t = run_t.layer(0);
  const std::size_t n = t.n_tokens();
  REQUIRE(st["weights"].size() == n);
  for (std::size_t j = 0; j < n; ++j)
    CHECK(std::fabs(st["weights"][j].get<float>() - t.attn(0)[(1 * n + 7) * n + j]) <= 1e-6f);
  CHECK(st["divisor"].get<float>() == Approx(4.0f));  // sqrt(16)
}

TEST_CASE("the no-scaling toggle changes the step-through's weights", "[gui][step]") {
  const gui_test::Run scaled = gui_test::run_window(std::string(kArgs) + " --click-cell 2,8,2@3", 6);
  const gui_test::Run unscaled = gui_test::run_window(std::string(kArgs) + " --click-cell 2,8,2@3 --key s@5", 8);
  REQUIRE(unscaled.exit_code == 0);
  CHECK(unscaled.layout["step_through"]["divisor"].get<float>() == Approx(1.0f));
  float max_scaled = 0.0f, max_unscaled = 0.0f;
  for (const auto& w : scaled.layout["step_through"]["weights"]) max_scaled = std::max(max_scaled, w.get<float>());
  for (const auto& w : unscaled.layout["step_through"]["weights"])
    max_unscaled = std::max(max_unscaled, w.get<float>());
  CHECK(max_unscaled > max_scaled);  // without the division the softmax saturates
}

TEST_CASE("a click outside any cell opens nothing", "[gui][step]") {
  const gui_test::Run run = gui_test::run_window(kArgs, 5);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["step_through"].is_null());
}

TEST_CASE("Ctrl+L shows raw scores, then lines, in every head", "[gui][step]") {
  const gui_test::Run scores = gui_test::run_window(std::string(kArgs) + " --key ctrl+l@2", 6);
  const gui_test::Run lines = gui_test::run_window(std::string(kArgs) + " --key ctrl+l@2 --key ctrl+l@4", 8);
  REQUIRE(scores.exit_code == 0);
  REQUIRE(lines.exit_code == 0);
  for (int head = 0; head < 4; ++head) {
    CHECK(gui_test::find_heatmap(scores.layout, "raw score", head) != nullptr);
    CHECK(gui_test::find_heatmap(lines.layout, "lines", head) != nullptr);
  }
  // A raw score's cell has the diverging color of its value within the head's symmetric range.
  const attn::SequenceRun run_t = expected_run();
  const attn::LayerView t = run_t.layer(0);
  const std::size_t n = t.n_tokens();
  const nlohmann::json& h = *gui_test::find_heatmap(scores.layout, "raw score", 0);
  float m = 0.0f;
  for (std::size_t i = 0; i < n * n; ++i) m = std::max(m, std::fabs(t.scores(0)[i]));
  const float cw = h["w"].get<float>() / static_cast<float>(n), ch = h["h"].get<float>() / static_cast<float>(n);
  const int x = static_cast<int>(h["x"].get<float>() + cw * 2.2f),
            y = static_cast<int>(h["y"].get<float>() + ch * 3.2f);
  const app::Rgb8 want = app::colormap_color(app::Colormap::Diverging, (t.scores(0)[3 * n + 2] + m) / (2.0f * m));
  const unsigned char* px = scores.screenshot.at(x, y);
  CHECK(std::abs(px[0] - want.r) <= 3);
  CHECK(std::abs(px[1] - want.g) <= 3);
  CHECK(std::abs(px[2] - want.b) <= 3);
}
