// The step-through in the real window: a click on a cell opens it for that query and key, its
// numbers are the engine's, and the teaching toggle changes them.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/model_input.hpp"
#include "gui_harness.hpp"

namespace {

const char* const kArgs = "--no-settings --text \"The animal didn't cross the street because it was too tired.\" --heads 4 --seed 7";

attn::Trace expected_trace() {
  app::ModelInput input;
  input.text = "The animal didn't cross the street because it was too tired.";
  input.config.n_heads = 4;
  input.config.seed = 7;
  return app::compute_trace(input, app::resolve_model(input));
}

}  // namespace

TEST_CASE("clicking a cell opens the step-through with the engine's query, key and weights", "[gui][step]") {
  const gui_test::Run run = gui_test::run_window(std::string(kArgs) + " --click-cell 2,8,2@3 --key right@5 --key right@7", 10);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json& st = run.layout["step_through"];
  REQUIRE(st.is_object());
  CHECK(st["head"] == 1);
  CHECK(st["query"] == 7);  // "it"
  CHECK(st["key"] == 1);    // "animal"
  CHECK(st["step"] == 3);   // two steps on
  const attn::Trace t = expected_trace();
  const std::size_t n = t.n_tokens();
  REQUIRE(st["weights"].size() == n);
  for (std::size_t j = 0; j < n; ++j)
    CHECK(std::fabs(st["weights"][j].get<float>() - t.attn[(1 * n + 7) * n + j]) <= 1e-6f);
  CHECK(st["divisor"].get<float>() == Approx(4.0f));  // sqrt(16)
}

TEST_CASE("the no-scaling toggle changes the step-through's weights", "[gui][step]") {
  const gui_test::Run scaled = gui_test::run_window(std::string(kArgs) + " --click-cell 2,8,2@3", 6);
  const gui_test::Run unscaled = gui_test::run_window(std::string(kArgs) + " --click-cell 2,8,2@3 --key s@5", 8);
  REQUIRE(unscaled.exit_code == 0);
  CHECK(unscaled.layout["step_through"]["divisor"].get<float>() == Approx(1.0f));
  float max_scaled = 0.0f, max_unscaled = 0.0f;
  for (const auto& w : scaled.layout["step_through"]["weights"]) max_scaled = std::max(max_scaled, w.get<float>());
  for (const auto& w : unscaled.layout["step_through"]["weights"]) max_unscaled = std::max(max_unscaled, w.get<float>());
  CHECK(max_unscaled > max_scaled);  // without the division the softmax saturates
}

TEST_CASE("a click outside any cell opens nothing", "[gui][step]") {
  const gui_test::Run run = gui_test::run_window(kArgs, 5);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["step_through"].is_null());
}
