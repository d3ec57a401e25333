// Session files: round trip, tolerance of missing keys, and refusal of bad ones without
// half-applying them.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/session_file.hpp"
#include "engine/weights.hpp"

namespace fs = std::filesystem;

namespace {

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every file in `dir` whose name starts with `prefix`.
std::vector<fs::path> files_starting(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) found.push_back(e.path());
  return found;
}

}  // namespace

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
  s.model_path = "/models/gpt2";
  s.model_layer = 7;

  app::AppState back = app::default_state();
  app::session_from_json(app::session_to_json(s), back);
  CHECK(back.input == s.input);
  CHECK(back.view == s.view);
  CHECK(back.selected_head == 3);
  CHECK(back.export_dir == "/tmp/figs");
  CHECK(back.model_path == "/models/gpt2");
  CHECK(back.model_layer == 7);
}

TEST_CASE("a session without an opened model leaves random weights and a negative layer is refused", "[session]") {
  app::AppState s = app::default_state();
  s.model_path = "/models/gpt2";
  s.model_layer = 3;
  app::session_from_json(R"({"format":"attnlab-session","version":1,"text":"hi"})", s);
  CHECK(s.model_path.empty());  // the session shows what it names: no model, random weights
  CHECK(s.model_layer == 0);
  const std::string bad_layer = R"({"format":"attnlab-session","version":1,"model":"/m","model_layer":-1})";
  CHECK_THROWS_WITH(app::session_from_json(bad_layer, s), Catch::Contains("model_layer"));
  CHECK(s.model_path.empty());  // a session is taken whole or not at all
  const std::vector<std::string> dropped = app::settings_from_json(bad_layer, s);
  CHECK(s.model_path == "/m");  // settings keep every value they can use
  CHECK(s.model_layer == 0);
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].find("model_layer") != std::string::npos);
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

TEST_CASE("sessions save atomically and load back, a missing file is a FileError", "[session]") {
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
    const attn::SequenceRun run = app::compute_run(s.input, model);
    CHECK(run.n_tokens() > 0);
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
  CHECK_THAT(refusal(R"({"seed": 1.9e19})"), Catch::Contains("key 'config.seed'") && Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"seed": -3})"), Catch::Contains("key 'config.seed'") && Catch::Contains("negative"));
  CHECK_THAT(refusal(R"({"seed": 2.5})"), Catch::Contains("whole number"));
  CHECK_THAT(refusal(R"({"temperature": 1e300})"),
             Catch::Contains("key 'config.temperature'") && Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"n_heads": 1e10})"), Catch::Contains("key 'config.n_heads'"));
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

TEST_CASE("a value the engine cannot use is refused where it is read, naming the key", "[session]") {
  const auto refusal = [](const std::string& config) {
    app::AppState s = app::default_state();
    try {
      app::session_from_json(R"({"format": "attnlab-session", "config": )" + config + "}", s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK_THAT(refusal(R"({"temperature": 1e10})"),
             Catch::Contains("key 'config.temperature'") && Catch::Contains("between 1e-06 and 1e+06"));
  CHECK_THAT(refusal(R"({"temperature": 0})"), Catch::Contains("key 'config.temperature'"));
  // Beyond a double: nlohmann would refuse the whole text without naming the key.
  CHECK_THAT(refusal(R"({"temperature": 1e400})"),
             Catch::Contains("key 'config.temperature' (\"1e400\") is out of range"));
  CHECK_THAT(refusal(R"({"seed": -1e999})"), Catch::Contains("key 'config.seed'"));
  CHECK_THAT(refusal(R"({"d_model": 5000})"),
             Catch::Contains("key 'config.d_model'") && Catch::Contains("between 1 and 1024"));
  CHECK_THAT(refusal(R"({"n_heads": 0})"), Catch::Contains("key 'config.n_heads'"));
  CHECK_THAT(refusal(R"({"d_head_auto": false, "d_head": 2000})"), Catch::Contains("key 'config.d_head'"));
  CHECK(refusal(R"({"d_model": 30, "n_heads": 4})") == "(accepted)");  // a combination is validate()'s to judge
}

TEST_CASE("settings keep every valid value and report each value they drop", "[session][settings]") {
  // A file from a newer version, with values this one cannot use beside good ones.
  const std::string text = R"({"format": 7, "version": 1, "text": "keep this sentence", "mode": "explore",
    "config": {"n_heads": 2, "d_model": 32, "temperature": 1e400, "seed": 77, "positional": "alibi"},
    "view": {"theme": "light", "colormap": "turbo", "show_qkv": false, "sparkle": true},
    "selected_head": "first", "future_key": [1, 2]})";
  app::AppState s = app::default_state();
  const std::vector<std::string> dropped = app::settings_from_json(text, s);
  CHECK(s.input.text == "keep this sentence");
  CHECK(s.input.config.n_heads == 2);
  CHECK(s.input.config.d_model == 32);
  CHECK(s.input.config.seed == 77);
  CHECK(s.view.theme == app::Theme::Light);
  CHECK_FALSE(s.view.show_qkv);
  const app::AppState defaults = app::default_state();
  CHECK(s.input.config.temperature == defaults.input.config.temperature);
  CHECK(s.input.config.positional == defaults.input.config.positional);
  CHECK(s.view.colormap == defaults.view.colormap);
  CHECK(s.selected_head == defaults.selected_head);
  std::string all;
  for (const std::string& d : dropped) all += d + "\n";
  INFO(all);
  CHECK(dropped.size() == 7);
  CHECK_THAT(all, Catch::Contains("key 'format' (7)"));
  CHECK_THAT(all, Catch::Contains("key 'config.temperature'"));
  CHECK_THAT(all, Catch::Contains("key 'config.positional' has unknown value 'alibi'"));
  CHECK_THAT(all, Catch::Contains("key 'view.colormap' has unknown value 'turbo'"));
  CHECK_THAT(all, Catch::Contains("key 'view.sparkle' is not one this attnlab knows"));
  CHECK_THAT(all, Catch::Contains("key 'selected_head'"));
  CHECK_THAT(all, Catch::Contains("key 'future_key'"));
  // What is saved next holds only usable values: never a null temperature.
  const std::string saved = app::session_to_json(s);
  CHECK(saved.find("null") == std::string::npos);
  app::AppState back = app::default_state();
  CHECK(app::settings_from_json(saved, back).empty());
  CHECK(back.input == s.input);
  CHECK(back.view == s.view);
}

TEST_CASE("a session's temperature of 1e300 never reaches the settings as null", "[session][settings]") {
  app::AppState s = app::default_state();
  CHECK_THROWS_WITH(app::session_from_json(R"({"format": "attnlab-session", "config": {"temperature": 1e300}})", s),
                    Catch::Contains("key 'config.temperature'"));
  CHECK(app::session_to_json(s).find("null") == std::string::npos);
}

TEST_CASE("the settings round trip through the file keeps valid values and reports invalid ones",
          "[session][settings]") {
  test_support::TempDir dir;
  const fs::path path = dir.path / "attnlab" / "settings.json";
  app::AppState none = app::default_state();
  CHECK(app::load_settings(path.string(), none).outcome == app::SettingsLoad::Outcome::Missing);
  app::AppState s = app::default_state();
  s.input.text = "round trip";
  s.input.config.n_heads = 8;
  s.view.colormap = app::Colormap::Magma;
  app::save_session(s, path.string());
  app::AppState back = app::default_state();
  const app::SettingsLoad good = app::load_settings(path.string(), back);
  CHECK(good.outcome == app::SettingsLoad::Outcome::Read);
  CHECK(good.dropped.empty());
  CHECK(good.summary(path.string()).empty());
  CHECK(back.input == s.input);
  CHECK(back.view == s.view);

  std::ofstream(path) << R"({"format": "attnlab-session", "text": "still here", "view": {"colormap": "turbo"}})";
  app::AppState partial = app::default_state();
  const app::SettingsLoad some = app::load_settings(path.string(), partial);
  CHECK(some.outcome == app::SettingsLoad::Outcome::Read);
  CHECK(partial.input.text == "still here");
  REQUIRE(some.dropped.size() == 1);
  CHECK_THAT(some.summary(path.string()), Catch::Contains("1 value left out") && Catch::Contains("turbo"));
  CHECK(fs::exists(path));  // read, not moved: the next save writes the valid values back
}

TEST_CASE("an unreadable settings file is set aside with its bytes, never overwritten", "[session][settings]") {
  for (const std::string& bytes :
       {std::string("{ this is not json"), std::string("[1, 2, 3]"), std::string("\xff\xfe\0binary", 9)}) {
    INFO(bytes);
    test_support::TempDir dir;
    const fs::path path = dir.path / "settings.json";
    std::ofstream(path, std::ios::binary) << bytes;
    app::AppState s = app::default_state();
    const app::SettingsLoad load = app::load_settings(path.string(), s);
    REQUIRE(load.outcome == app::SettingsLoad::Outcome::SetAside);
    CHECK(s.input == app::default_state().input);
    CHECK_FALSE(fs::exists(path));
    CHECK(file_bytes(load.set_aside_path) == bytes);  // the original bytes, whole
    CHECK_THAT(load.set_aside_path, Catch::StartsWith(path.string() + ".unreadable-"));
    CHECK_THAT(load.summary(path.string()),
               Catch::Contains("could not be read") && Catch::Contains(load.set_aside_path));
    app::save_session(s, path.string());  // the next save starts anew beside it
    CHECK(file_bytes(load.set_aside_path) == bytes);
    CHECK(files_starting(dir.path, "settings.json").size() == 2);
  }
}

TEST_CASE("setting a file aside never replaces an earlier one", "[session][settings]") {
  test_support::TempDir dir;
  const fs::path path = dir.path / "settings.json";
  const std::time_t when = 1700000000;
  std::ofstream(path) << "second";
  const std::string first = app::set_aside_unreadable(path.string(), when);
  std::ofstream(path) << "third";
  const std::string second = app::set_aside_unreadable(path.string(), when);  // the same second
  CHECK(first != second);
  CHECK(second == first + "-2");
  CHECK(file_bytes(first) == "second");
  CHECK(file_bytes(second) == "third");
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a FIFO or a folder as the settings or a session is refused at once and left alone", "[session][settings]") {
  test_support::TempDir dir;
  const fs::path fifo = dir.path / "settings.json";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  app::AppState s = app::default_state();
  const app::SettingsLoad load = app::load_settings(fifo.string(), s);  // would block forever if opened
  CHECK(load.outcome == app::SettingsLoad::Outcome::Untouchable);
  CHECK_THAT(load.reason, Catch::Contains("is a FIFO"));
  CHECK_THAT(load.summary(fifo.string()), Catch::Contains("will not be saved"));
  CHECK(fs::is_fifo(fifo));
  CHECK_THROWS_WITH(app::load_session(fifo.string(), s), Catch::Contains("is a FIFO"));
  const fs::path folder = dir.path / "folder.json";
  fs::create_directory(folder);
  CHECK(app::load_settings(folder.string(), s).outcome == app::SettingsLoad::Outcome::Untouchable);
  CHECK_THROWS_WITH(app::load_session(folder.string(), s), Catch::Contains("is a folder"));
  CHECK_THROWS_WITH(app::load_session("/dev/zero", s), Catch::Contains("is a character device"));
  CHECK(fs::is_directory(folder));
}

TEST_CASE("a lesson's teacher's note is read strictly, shown on opening and never carried to another session",
          "[session]") {
  app::AppState s = app::default_state();
  app::session_from_json(R"({"format": "attnlab-session", "text": "a b", "note": "Ask why row 1 is one cell."})", s);
  CHECK(s.note == "Ask why row 1 is one cell.");
  CHECK(s.note_open);
  // A note that is not text is refused, naming the key, and changes nothing.
  app::AppState before = s;
  try {
    app::session_from_json(R"({"format": "attnlab-session", "text": "c d", "note": 3})", s);
    FAIL("a number as the note was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Contains("note"));
  }
  CHECK(s.input == before.input);
  CHECK(s.note == before.note);
  // The next session without a note has none.
  app::session_from_json(R"({"format": "attnlab-session", "text": "e f"})", s);
  CHECK(s.note.empty());
  CHECK_FALSE(s.note_open);
  // Saved settings keep the note but do not show it again at every start.
  s.note = "kept";
  const std::string json = app::session_to_json(s);
  app::AppState restored = app::default_state();
  CHECK(app::settings_from_json(json, restored).empty());
  CHECK(restored.note == "kept");
  CHECK_FALSE(restored.note_open);
}

TEST_CASE("every shipped lesson has a teacher's note and opens with it, named after its file", "[session]") {
  const fs::path lessons = fs::path(ATTN_TEST_DATA_DIR) / ".." / "assets" / "lessons";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(lessons)) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path());
    app::AppState s = app::default_state();
    app::load_session(entry.path().string(), s);
    CHECK(s.note.size() > 40);
    CHECK(s.note_open);
    CHECK(s.lesson == entry.path().stem().string());
    ++count;
  }
  CHECK(count >= 5);
}
