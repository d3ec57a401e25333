// The window's state logic without GL: what recomputes, what only restyles, and how bad input
// keeps the last good picture.
#include <catch2/catch.hpp>

#include "core/app_state.hpp"
#include "core/live_model.hpp"

using app::AppState;
using app::LiveModel;

TEST_CASE("the first update computes a run of the example sentence", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  REQUIRE(model.update(s.input));
  REQUIRE(model.has_run());
  CHECK(model.run().n_tokens() == 11);  // The cat sat on the mat because it was warm .
  CHECK(model.error().empty());
  CHECK(model.generation() == 1);
}

TEST_CASE("an unchanged input does not recompute", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  model.update(s.input);
  CHECK_FALSE(model.update(s.input));
  CHECK(model.recompute_count() == 1);
  CHECK(model.generation() == 1);
}

TEST_CASE("view settings only restyle: the model is not recomputed", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  model.update(s.input);
  s.view.colormap = app::Colormap::Magma;
  s.view.range = app::RangeMode::Fixed01;
  s.view.theme = app::Theme::Light;
  s.view.ui_scale = 2.0f;
  s.selected_head = 2;
  s.enlarged_head = 1;
  s.hovered_token = 3;
  CHECK_FALSE(model.update(s.input));
  CHECK(model.recompute_count() == 1);
}

TEST_CASE("every model input recomputes", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  model.update(s.input);
  int expected = 1;
  const auto changes_run = [&](auto&& edit) {
    edit(s);
    REQUIRE(model.update(s.input));
    CHECK(model.recompute_count() == ++expected);
  };
  changes_run([](AppState& a) { a.input.text += " Yes"; });
  changes_run([](AppState& a) { a.input.config.n_heads = 8; });
  changes_run([](AppState& a) { a.input.config.d_model = 128; });
  changes_run([](AppState& a) { a.input.config.d_head = 8; });
  changes_run([](AppState& a) { a.input.config.seed = 7; });
  changes_run([](AppState& a) { a.input.config.causal = true; });
  changes_run([](AppState& a) { a.input.config.positional = attn::Positional::Rope; });
  changes_run([](AppState& a) { a.input.config.temperature = 0.5f; });
  changes_run([](AppState& a) { a.input.tokenizer = attn::TokenizerMode::Char; });
  CHECK(model.run().config.n_heads == 8);
  CHECK(model.run().config.causal);
}

TEST_CASE("a rejected config keeps the last good run and says why", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  model.update(s.input);
  const std::size_t tokens = model.run().n_tokens();
  s.input.config.d_model = 30;  // 4 heads do not divide 30
  CHECK_FALSE(model.update(s.input));
  CHECK_THAT(model.error(), Catch::Contains("d_model (30) must be divisible by n_heads (4)"));
  REQUIRE(model.has_run());
  CHECK(model.run().config.d_model == 64);
  CHECK(model.run().n_tokens() == tokens);
  CHECK(model.generation() == 1);

  s.input.config.d_model = 32;  // fixed: the error goes, a new run comes
  CHECK(model.update(s.input));
  CHECK(model.error().empty());
  CHECK(model.run().config.d_model == 32);
}

TEST_CASE("empty text, emoji and CJK, and 300 tokens all give valid runs", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  s.input.text = "";
  REQUIRE(model.update(s.input));
  CHECK(model.run().n_tokens() == 0);
  CHECK(model.run().layer(0).config.n_heads == 4);

  s.input.text = "我爱你 🙂 café";
  REQUIRE(model.update(s.input));
  CHECK(model.run().n_tokens() == 5);

  std::string many;
  for (int i = 0; i < 300; ++i) many += "w" + std::to_string(i) + " ";
  s.input.text = many;
  REQUIRE(model.update(s.input));
  CHECK(model.run().n_tokens() == 256);
  CHECK(model.run().tokenization.truncated);
  CHECK_THAT(model.run().tokenization.message, Catch::Contains("256"));
}

TEST_CASE("typing reuses the weights: only a weights-shaping input rebuilds them", "[state]") {
  AppState s = app::default_state();
  LiveModel model;
  model.update(s.input);
  const float w0 = model.run().layer(0).q(0, 0, 0);
  s.input.text = "The cat sat on the mat because it was warm. And";
  model.update(s.input);
  CHECK(model.run().layer(0).q(0, 0, 0) == w0);  // same token, same weights, same q
  s.input.config.seed = 43;
  model.update(s.input);
  CHECK(model.run().layer(0).q(0, 0, 0) != w0);
}

TEST_CASE("head selection stays valid when heads shrink", "[state]") {
  AppState s = app::default_state();
  s.selected_head = 7;
  s.enlarged_head = 6;
  app::clamp_head_selection(s, 4);
  CHECK(s.selected_head == 3);
  CHECK(s.enlarged_head == -1);
}

TEST_CASE("the heads slider lands on counts that divide d_model, in the direction it moved", "[state]") {
  CHECK(app::heads_dividing(64, 2, 3, 16) == 4);
  CHECK(app::heads_dividing(64, 4, 3, 16) == 2);
  CHECK(app::heads_dividing(64, 8, 9, 16) == 16);
  CHECK(app::heads_dividing(60, 12, 13, 16) == 15);
  CHECK(app::heads_dividing(60, 15, 16, 16) == 15);  // nothing above: the nearest below
  CHECK(app::heads_dividing(7, 1, 5, 16) == 7);
  CHECK(app::heads_dividing(64, 1, 40, 16) == 16);  // clamped to the slider's range first
  for (int d = 1; d <= 128; ++d)
    for (int to = 1; to <= 16; ++to) CHECK(d % app::heads_dividing(d, 1, to, 16) == 0);
}
