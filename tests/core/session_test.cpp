// Session files: round trip, tolerance of missing keys, and refusal of bad ones without
// half-applying them.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/session_file.hpp"
#include "engine/weights.hpp"

namespace fs = std::filesystem;

TEST_CASE("a session round-trips the sentence and every setting", "[session]") {
  app::AppState s = app::default_state();
  s.input.text = "Ein \"Satz\", mit Komma — und 漢字 🙂";
  s.input.tokenizer = attn::TokenizerMode::Char;
  s.input.config.d_model = 96;
  s.input.config.n_heads = 6;
  s.input.config.d_head = 12;
  s.input.config.causal = true;
  s.input.config.positional = attn::Positional::Learned;
  s.input.config.temperature = 0.75f;
  s.input.config.seed = 1234567;
  s.view.theme = app::Theme::Light;
  s.view.colormap = app::Colormap::Cividis;
  s.view.range = app::RangeMode::Fixed01;
  s.view.ui_scale = 2.5f;
  s.view.show_qkv = false;
  s.selected_head = 3;
  s.export_dir = "/tmp/figs";

  app::AppState back = app::default_state();
  app::session_from_json(app::session_to_json(s), back);
  CHECK(back.input == s.input);
  CHECK(back.view == s.view);
  CHECK(back.selected_head == 3);
  CHECK(back.export_dir == "/tmp/figs");
}

TEST_CASE("missing keys keep their current values", "[session]") {
  app::AppState s = app::default_state();
  app::session_from_json(R"({"format": "attnlab-session", "text": "hi there"})", s);
  CHECK(s.input.text == "hi there");
  CHECK(s.input.config.n_heads == 4);
}

TEST_CASE("corrupt or foreign files are refused and change nothing", "[session]") {
  const app::AppState before = app::default_state();
  const char* bad[] = {
      "",
      "{",
      "not json at all",
      "[1, 2, 3]",
      R"({"text": "no format key"})",
      R"({"format": "attnlab-session", "config": {"n_heads": "four"}})",
      R"({"format": "attnlab-session", "text": "ok", "view": {"theme": "purple"}})",
      R"({"format": "attnlab-session", "config": {"positional": "spiral"}})",
      R"({"format": "attnlab-session", "tokenizer": "bpe"})",
      R"({"format": "attnlab-session", "config": {"seed": 1e340}})",  // beyond double: found by fuzzing
  };
  for (const char* text : bad) {
    INFO(text);
    app::AppState s = before;
    CHECK_THROWS_AS(app::session_from_json(text, s), std::invalid_argument);
    CHECK(s.input == before.input);
    CHECK(s.view == before.view);
  }
}

TEST_CASE("sessions save atomically and load back; a missing file is a FileError", "[session]") {
  const fs::path dir = fs::temp_directory_path() / "attnlab_session_test";
  fs::remove_all(dir);
  app::AppState s = app::default_state();
  s.input.text = "saved";
  app::save_session(s, (dir / "sub" / "lesson.json").string());  // creates folders
  app::AppState back = app::default_state();
  app::load_session((dir / "sub" / "lesson.json").string(), back);
  CHECK(back.input.text == "saved");
  CHECK_THROWS_AS(app::load_session((dir / "none.json").string(), back), attn::FileError);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "sub")) files += e.is_regular_file();
  CHECK(files == 1);  // no temporary left behind
  fs::remove_all(dir);
}

TEST_CASE("settings live in the XDG config folder", "[session]") {
  const char* old = std::getenv("XDG_CONFIG_HOME");
  const std::string saved = old ? old : "";
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home ? old_home : "";
  setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
  CHECK(app::settings_path() == "/tmp/xdg-test/attnlab/settings.json");
  unsetenv("XDG_CONFIG_HOME");
  setenv("HOME", "/home/someone", 1);
  CHECK(app::settings_path() == "/home/someone/.config/attnlab/settings.json");
  if (old) setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
  if (old_home) setenv("HOME", saved_home.c_str(), 1);
}

TEST_CASE("every lesson shipped in assets/lessons opens and computes", "[session]") {
  const fs::path lessons = fs::path(ATTN_TEST_DATA_DIR) / ".." / "assets" / "lessons";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(lessons)) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path());
    app::AppState s = app::default_state();
    app::load_session(entry.path().string(), s);
    const app::ResolvedModel model = app::resolve_model(s.input);
    const attn::Trace trace = app::compute_trace(s.input, model);
    CHECK(trace.n_tokens() > 0);
    ++count;
  }
  CHECK(count >= 5);
}

TEST_CASE("numbers that do not fit their setting are refused with the key named", "[session]") {
  app::AppState s = app::default_state();
  const auto refusal = [&](const std::string& config) {
    try {
      app::session_from_json(R"({"format": "attnlab-session", "config": )" + config + "}", s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK_THAT(refusal(R"({"seed": 1.9e19})"), Catch::Contains("key 'seed'") && Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"seed": -3})"), Catch::Contains("key 'seed'") && Catch::Contains("negative"));
  CHECK_THAT(refusal(R"({"seed": 2.5})"), Catch::Contains("whole number"));
  CHECK_THAT(refusal(R"({"temperature": 1e300})"), Catch::Contains("key 'temperature'") && Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"n_heads": 1e10})"), Catch::Contains("key 'n_heads'"));
  CHECK_THAT(refusal(R"({"n_heads": "four"})"), Catch::Contains("must be a number"));
  CHECK(refusal(R"({"seed": 1.8e19, "n_heads": 2.0})") == "(accepted)");  // exact whole numbers in range
  CHECK(s.input.config.seed == 18000000000000000000ull);
}

TEST_CASE("a session from a newer version, or with a wrong-typed format, is refused with the file named", "[session]") {
  app::AppState s = app::default_state();
  CHECK_THROWS_WITH(app::session_from_json(R"({"format": "attnlab-session", "version": 99})", s),
                    Catch::Contains("session version 99 is not one this attnlab reads"));
  test_support::TempDir dir;
  const std::string path = (dir.path / "odd.json").string();
  std::ofstream(path) << R"({"format": 7})";
  CHECK_THROWS_WITH(app::load_session(path, s), Catch::StartsWith(path + ": "));
}
