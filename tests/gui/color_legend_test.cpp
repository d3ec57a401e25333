// The color legend says truly whose scale it shows (each head's own range, one head's numbers,
// or one 0-1 scale for all), Train mode has one too, and a causal head's raw scores draw their
// masked cells as masked: neutral grey, outside the color range.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "core/model_input.hpp"
#include "gui_harness.hpp"

namespace {

std::vector<std::string> texts_of(const nlohmann::json& layout, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& t : layout["texts"])
    if (t["kind"] == kind) out.push_back(t["text"].get<std::string>());
  return out;
}

// The first `n` texts of a kind: the heads' legend is drawn before the Q/K/V panel's bars.
std::vector<std::string> first(std::vector<std::string> v, std::size_t n) {
  v.resize(std::min(v.size(), n));
  return v;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const char* const kExplore = "--no-settings --mode explore --heads 4 --d-model 64";

}  // namespace

TEST_CASE("with per-head ranges the color bar speaks for each head and names one head only when one is shown",
          "[gui][legend]") {
  const gui_test::Run grid = gui_test::run_window_sized(kExplore, 1280, 800, 5, false);
  REQUIRE(grid.exit_code == 0);
  const auto titles = texts_of(grid.layout, "color_bar_title");
  INFO(grid.layout["texts"].dump());
  CHECK(contains(titles, "Each head"));
  CHECK(contains(titles, "own range"));
  CHECK_FALSE(contains(titles, "Head 1"));  // the selected head is not every head
  CHECK(first(texts_of(grid.layout, "color_bar_tick"), 2) == std::vector<std::string>{"max", "min"});

  // One head enlarged: its name and its numbers.
  const gui_test::Run one =
      gui_test::run_window_sized(std::string(kExplore) + " --click-cell 2,3,2@2", 1280, 800, 6, false);
  REQUIRE(one.exit_code == 0);
  CHECK(contains(texts_of(one.layout, "color_bar_title"), "Head 2"));
  CHECK_FALSE(contains(texts_of(one.layout, "color_bar_tick"), "max"));

  // One 0-1 scale: all heads, 0 to 1.
  const gui_test::Run fixed =
      gui_test::run_window_sized(std::string(kExplore) + " --key ctrl+r@2", 1280, 800, 5, false);
  REQUIRE(fixed.exit_code == 0);
  CHECK(contains(texts_of(fixed.layout, "color_bar_title"), "All heads"));
  const auto ticks = texts_of(fixed.layout, "color_bar_tick");
  REQUIRE(ticks.size() >= 2);
  CHECK(std::stof(ticks.front()) == Approx(0.0f));
  std::size_t rising = 1;  // the legend's ticks rise from 0 to 1; the Q/K/V bars' start again below
  while (rising < ticks.size() && std::stof(ticks[rising]) > std::stof(ticks[rising - 1])) ++rising;
  CHECK(std::stof(ticks[rising - 1]) == Approx(1.0f));

  // The raw scores: each head's own symmetric range.
  const gui_test::Run scores =
      gui_test::run_window_sized(std::string(kExplore) + " --key ctrl+l@2", 1280, 800, 5, false);
  REQUIRE(scores.exit_code == 0);
  CHECK(contains(texts_of(scores.layout, "color_bar_title"), "Each head"));
  CHECK(contains(texts_of(scores.layout, "color_bar_title"), "raw score"));
  CHECK(first(texts_of(scores.layout, "color_bar_tick"), 3) == std::vector<std::string>{"+max", "0", "-max"});
}

TEST_CASE("Train mode's heads have a color legend like Explore's", "[gui][legend][train]") {
  const gui_test::Run grid = gui_test::run_window_sized("--no-settings --mode train", 1600, 1000, 6, false);
  REQUIRE(grid.exit_code == 0);
  CHECK(contains(texts_of(grid.layout, "color_bar_title"), "Each head"));
  CHECK(gui_test::text_problems(grid.layout).empty());
  const gui_test::Run one =
      gui_test::run_window_sized("--no-settings --mode train --click-cell 2,3,2@3", 1600, 1000, 7, false);
  REQUIRE(one.exit_code == 0);
  CHECK(contains(texts_of(one.layout, "color_bar_title"), "L1 H2"));
  CHECK(texts_of(one.layout, "color_bar_tick").size() >= 2);
  CHECK(gui_test::text_problems(one.layout).empty());
}

TEST_CASE("a causal head's raw scores draw masked cells grey and leave them out of the color range", "[gui][legend]") {
  const std::string text = "The animal didn't cross the street because it was too tired.";
  const std::string args = "--no-settings --text \"" + text + "\" --heads 4 --seed 7 --causal --key ctrl+l@2";
  const gui_test::Run run = gui_test::run_window(args, 6);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  app::ModelInput input;
  input.text = text;
  input.config.n_heads = 4;
  input.config.seed = 7;
  input.config.causal = true;
  const attn::SequenceRun t_run = app::compute_run(input, app::resolve_model(input));
  const attn::LayerView t = t_run.layer(0);
  const std::size_t n = t.n_tokens();
  const nlohmann::json* h = gui_test::find_heatmap(run.layout, "raw score", 0);
  REQUIRE(h != nullptr);
  const float cw = (*h)["w"].get<float>() / static_cast<float>(n), ch = (*h)["h"].get<float>() / static_cast<float>(n);
  const auto pixel = [&](std::size_t row, std::size_t col, float fx, float fy) {
    return run.screenshot.at(static_cast<int>((*h)["x"].get<float>() + cw * (static_cast<float>(col) + fx)),
                             static_cast<int>((*h)["y"].get<float>() + ch * (static_cast<float>(row) + fy)));
  };
  // Masked cells (key after query): neutral grey (the fill or its hatch), whatever their score.
  for (const auto& [row, col] : {std::pair<std::size_t, std::size_t>{0, 1}, {2, n - 1}, {5, 9}, {0, n - 1}}) {
    const unsigned char* px = pixel(row, col, 0.3f, 0.7f);
    INFO("masked cell " << row << "," << col << ": " << int(px[0]) << " " << int(px[1]) << " " << int(px[2]));
    CHECK(px[0] == px[1]);
    CHECK(px[1] == px[2]);
    CHECK(px[0] >= 90);
    CHECK(px[0] <= 135);
  }
  // A cell that counts: its diverging color within the range of the cells that count only.
  float m = 0.0f;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) m = std::max(m, std::fabs(t.scores(0)[i * n + j]));
  const app::Rgb8 want = app::colormap_color(app::Colormap::Diverging, (t.scores(0)[3 * n + 2] + m) / (2.0f * m));
  const unsigned char* px = pixel(3, 2, 0.2f, 0.2f);
  CHECK(std::abs(px[0] - want.r) <= 3);
  CHECK(std::abs(px[1] - want.g) <= 3);
  CHECK(std::abs(px[2] - want.b) <= 3);
}
