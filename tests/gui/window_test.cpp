// The real window under Xvfb: heatmap pixels carry the color the engine's value maps to, a
// hovered chip outlines the right row and column, and bad input never stops the window.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/colormap.hpp"
#include "core/model_input.hpp"
#include "gui_harness.hpp"

#include <stb_image.h>

namespace {

const char* const kModelArgs = "--no-settings --text 'The cat sat on the mat' --heads 2 --d-model 16 --seed 3";

app::ModelInput model_input() {
  app::ModelInput input;
  input.text = "The cat sat on the mat";
  input.config.n_heads = 2;
  input.config.d_model = 16;
  input.config.seed = 3;
  input.d_model_given = true;
  return input;
}

// True when `px` is the colormap color of index i-1, i or i+1 (float rounding on the GPU may
// land on a neighbour at an exact .5).
bool near_colormap(const unsigned char* px, app::Colormap map, float t) {
  const int i = app::colormap_index(t);
  const auto& lut = app::colormap_lut(map);
  for (int j = std::max(0, i - 1); j <= std::min(255, i + 1); ++j) {
    const app::Rgb8 c = lut[static_cast<std::size_t>(j)];
    if (std::abs(px[0] - c.r) <= 1 && std::abs(px[1] - c.g) <= 1 && std::abs(px[2] - c.b) <= 1) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("heatmap cells show the color of the engine's attention weight", "[gui]") {
  const gui_test::Run run = gui_test::run_window(kModelArgs);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.screenshot.width > 0);
  REQUIRE(run.layout.is_object());

  const app::ModelInput input = model_input();
  const attn::SequenceRun expected = app::compute_run(input, app::resolve_model(input));
  const attn::LayerView layer_view = expected.layer(0);
  const std::size_t n = layer_view.n_tokens();
  REQUIRE(run.layout["tokens"] == n);
  for (int head = 0; head < 2; ++head) {
    const nlohmann::json* h = gui_test::find_heatmap(run.layout, "attention", head);
    REQUIRE(h != nullptr);
    REQUIRE((*h)["rows"] == n);
    const float* w = layer_view.attn(static_cast<std::size_t>(head));
    const float lo = *std::min_element(w, w + n * n), hi = *std::max_element(w, w + n * n);
    const float cell_w = (*h)["w"].get<float>() / static_cast<float>(n);
    const float cell_h = (*h)["h"].get<float>() / static_cast<float>(n);
    REQUIRE(cell_w >= 20.0f);
    int checked = 0;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t c = 0; c < n; ++c) {
        // A point inside the cell away from its centre (numbers) and edges (grid, outline).
        const int x = static_cast<int>((*h)["x"].get<float>() + cell_w * (static_cast<float>(c) + 0.2f));
        const int y = static_cast<int>((*h)["y"].get<float>() + cell_h * (static_cast<float>(r) + 0.2f));
        const float t = (w[r * n + c] - lo) / (hi - lo);
        const unsigned char* px = run.screenshot.at(x, y);
        INFO("head " << head << " cell " << r << "," << c << " value " << w[r * n + c] << " pixel " << int(px[0]) << ","
                     << int(px[1]) << "," << int(px[2]));
        CHECK(near_colormap(px, app::Colormap::Viridis, t));
        ++checked;
      }
    CHECK(checked == static_cast<int>(n * n));
  }
}

TEST_CASE("hovering a token chip outlines that token's row and column", "[gui]") {
  const gui_test::Run run = gui_test::run_window(std::string(kModelArgs) + " --hover-token 2", 8);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.layout.is_object());
  CHECK(run.layout["hovered_token"] == 2);
  const nlohmann::json* h = gui_test::find_heatmap(run.layout, "attention", 1);
  REQUIRE(h != nullptr);
  const int n = (*h)["rows"];
  const float x0 = (*h)["x"], y0 = (*h)["y"];
  const float cw = (*h)["w"].get<float>() / static_cast<float>(n), ch = (*h)["h"].get<float>() / static_cast<float>(n);
  // The dark theme's outline color, mixed in fully: (1.0, 0.35, 0.2).
  const auto is_outline = [](const unsigned char* px) {
    return px[0] >= 250 && std::abs(px[1] - 89) <= 2 && std::abs(px[2] - 51) <= 2;
  };
  const auto top_edge = [&](int row, int col) {
    return run.screenshot.at(static_cast<int>(x0 + cw * (static_cast<float>(col) + 0.5f)),
                             static_cast<int>(y0 + ch * static_cast<float>(row) + 1.0f));
  };
  const auto left_edge = [&](int row, int col) {
    return run.screenshot.at(static_cast<int>(x0 + cw * static_cast<float>(col) + 1.0f),
                             static_cast<int>(y0 + ch * (static_cast<float>(row) + 0.6f)));
  };
  for (int col = 0; col < n; ++col) {
    INFO("column " << col);
    CHECK(is_outline(top_edge(2, col)));                       // row 2 is outlined all along
    CHECK_FALSE(is_outline(top_edge(4, col == 2 ? 0 : col)));  // row 4 is not
  }
  for (int row = 0; row < n; ++row) {
    INFO("row " << row);
    CHECK(is_outline(left_edge(row, 2)));  // so is column 2
    CHECK_FALSE(is_outline(left_edge(row == 2 ? 0 : row, 4)));
  }
}

TEST_CASE("empty text opens the window with no tokens and a hint", "[gui]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --text ''");
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["tokens"] == 0);
  CHECK(run.layout["heatmaps"].empty());
  CHECK(run.screenshot.width > 0);
}

TEST_CASE("300 tokens are capped at 256 and the window says so", "[gui]") {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "w" + std::to_string(i) + " ";
  const gui_test::Run run = gui_test::run_window("--no-settings --heads 1 --text '" + text + "'");
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["tokens"] == 256);
  CHECK_THAT(run.layout["token_message"].get<std::string>(), Catch::Contains("256") && Catch::Contains("300"));
}

TEST_CASE("emoji and CJK tokens render as chips", "[gui]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --text '我爱你 🙂 café naïve'");
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["tokens"] == 6);
  CHECK(run.layout["chips"].size() == 6);
  CHECK(run.stderr_text.find("error") == std::string::npos);
}

TEST_CASE("heads that do not divide d_model show the engine's message and the window stays up", "[gui]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --heads 3 --d-model 64");
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.layout["error"].get<std::string>(), Catch::Contains("d_model (64) must be divisible by n_heads (3)"));
  CHECK(run.screenshot.width > 0);
}

TEST_CASE("an unreadable settings file is set aside with a message, never overwritten", "[gui]") {
  gui_test::TempDir config;
  const std::filesystem::path dir = config.path / "attnlab";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "settings.json") << "{ this is not json";
  const gui_test::Run run = gui_test::run_window("--text 'still works'", 4, "XDG_CONFIG_HOME=" + config.path.string());
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.stderr_text, Catch::Contains("Saved settings could not be read"));
  CHECK_THAT(run.layout["status"].get<std::string>(), Catch::Contains("settings.json.unreadable-"));
  CHECK(run.layout["tokens"] == 2);
  int set_aside = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("settings.json.unreadable-", 0) != 0) continue;
    ++set_aside;
    std::ifstream in(e.path());
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes == "{ this is not json");  // the person's file, whole
  }
  CHECK(set_aside == 1);
  CHECK(std::filesystem::exists(dir / "settings.json"));  // this run's settings, beside it
}

TEST_CASE("settings with values this version cannot use keep the rest and say what was left out", "[gui]") {
  gui_test::TempDir config;
  const std::filesystem::path file = config.path / "attnlab" / "settings.json";
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << R"({"format": "attnlab-session", "version": 1, "mode": "explore", "text": "kept words here",
                            "config": {"n_heads": 2, "d_model": 16, "temperature": 1e400}, "view": {"colormap": "turbo"}})";
  const gui_test::Run run = gui_test::run_window("", 4, "XDG_CONFIG_HOME=" + config.path.string());
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["tokens"] == 3);
  int heads = 0;
  for (const auto& h : run.layout["heatmaps"]) heads += h["matrix"] == "attention";
  CHECK(heads == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("left out key 'view.colormap' has unknown value 'turbo'") &&
                                  Catch::Contains("key 'config.temperature'"));
  CHECK_THAT(run.layout["status"].get<std::string>(), Catch::Contains("2 values left out"));
  // Saved at exit: the valid values kept, the others at usable defaults, never null.
  std::ifstream in(file);
  const nlohmann::json saved = nlohmann::json::parse(in);
  CHECK(saved["text"] == "kept words here");
  CHECK(saved["config"]["n_heads"] == 2);
  CHECK(saved["config"]["temperature"] == 1.0);
  CHECK(saved["view"]["colormap"] == "viridis");
}

TEST_CASE("a FIFO as the settings file does not stop the window and is left alone", "[gui]") {
  gui_test::TempDir config;
  const std::filesystem::path fifo = config.path / "attnlab" / "settings.json";
  std::filesystem::create_directories(fifo.parent_path());
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const gui_test::Run run = gui_test::run_window("--text 'no hang'", 3, "XDG_CONFIG_HOME=" + config.path.string());
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.stderr_text, Catch::Contains("is a FIFO") && Catch::Contains("will not be saved"));
  CHECK(std::filesystem::is_fifo(fifo));
}

TEST_CASE("settings and the last sentence are restored at the next start, --reset starts clean", "[gui]") {
  gui_test::TempDir config;
  const std::string env = "XDG_CONFIG_HOME=" + config.path.string();
  REQUIRE(gui_test::run_window("--text 'remember me please' --heads 2 --d-model 32", 3, env).exit_code == 0);
  const gui_test::Run again = gui_test::run_window("", 3, env);
  REQUIRE(again.exit_code == 0);
  CHECK(again.layout["tokens"] == 3);
  int heads = 0;
  for (const auto& h : again.layout["heatmaps"]) heads += h["matrix"] == "attention";
  CHECK(heads == 2);
  // A clean start is the first-start experience: Train mode on the sentences lesson.
  const gui_test::Run clean = gui_test::run_window("--reset", 3, env);
  CHECK(clean.layout["mode"] == "train");
  CHECK(clean.layout["tokens"] == 14);  // "The animal didn't cross the street because it was too tired. it ="
}

TEST_CASE("a saved session opens with its sentence and settings", "[gui]") {
  gui_test::TempDir dir;
  const std::string path = (dir.path / "lesson.json").string();
  std::ofstream(path) << R"({"format": "attnlab-session", "version": 1, "text": "a b c d",
                           "config": {"n_heads": 3, "d_model": 12}})";
  const gui_test::Run run = gui_test::run_window("--no-settings --session " + path, 4);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["tokens"] == 4);
  int heads = 0;
  for (const auto& h : run.layout["heatmaps"]) heads += h["matrix"] == "attention";
  CHECK(heads == 3);
}

TEST_CASE("without a display the window fails with a message, not a crash", "[gui]") {
  const int status =
      std::system("env -u DISPLAY -u WAYLAND_DISPLAY " ATTNLAB_BIN " --no-settings --frames 1 2>/dev/null");
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}

TEST_CASE("F12 and Ctrl+E save into the XDG pictures folder, named from the sentence", "[gui][export]") {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);
  const gui_test::Run run =
      gui_test::run_window("--no-settings --text 'Figures for the lecture' --key f12@3 --key ctrl+e@5", 10, env);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(home.path / "Pictures"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() == 2);
  CHECK(names[0].rfind("attention_figures-for-the-lecture_grid_", 0) == 0);
  CHECK(names[1].rfind("attention_figures-for-the-lecture_screenshot_", 0) == 0);
  CHECK_THAT(run.layout["status"].get<std::string>(), Catch::Contains("Saved " + (home.path / "Pictures").string()));
  // The screenshot is exactly the window: the framebuffer's size.
  int w = 0, h = 0, channels = 0;
  const std::string shot = (home.path / "Pictures" / names[1]).string();
  REQUIRE(stbi_info(shot.c_str(), &w, &h, &channels) == 1);
  CHECK(w == run.layout["framebuffer"][0]);
  CHECK(h == run.layout["framebuffer"][1]);
}

TEST_CASE("a large figure is written while the window keeps drawing", "[gui][export]") {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);
  std::string text;
  for (int i = 0; i < 120; ++i) text += "w" + std::to_string(i) + " ";
  const gui_test::Run run =
      gui_test::run_window("--no-settings --heads 16 --text '" + text + "' --key ctrl+e@3", 30, env);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["frames_while_exporting"].get<int>() >= 5);  // the export did not hold the frames
  CHECK_THAT(run.layout["status"].get<std::string>(), Catch::Contains("Saved " + (home.path / "Pictures").string()));
  int pngs = 0;
  for (const auto& e : std::filesystem::directory_iterator(home.path / "Pictures"))
    pngs += e.path().extension() == ".png";
  CHECK(pngs == 1);
}

TEST_CASE("an export into a missing folder says why and the window keeps running", "[gui][export]") {
  gui_test::TempDir dir;
  const std::string path = (dir.path / "lesson.json").string();
  std::ofstream(path) << R"({"format": "attnlab-session", "export_dir": "/nonexistent-folder/figures"})";
  const gui_test::Run run = gui_test::run_window("--no-settings --session " + path + " --key ctrl+e@3", 8);
  REQUIRE(run.exit_code == 0);  // it ran all its frames after the failure
  CHECK_THAT(run.layout["status"].get<std::string>(),
             Catch::Contains("Export failed") && Catch::Contains("/nonexistent-folder/figures"));
  CHECK_THAT(run.stderr_text, Catch::Contains("Export failed"));
  CHECK(run.layout["tokens"] == 11);
}

TEST_CASE("quitting during a large export keeps drawing until it is saved and Cancel leaves no file", "[gui][export]") {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "w" + std::to_string(i) + " ";
  const std::string args = "--no-settings --heads 16 --text '" + text + "' --key ctrl+e@3 --key ctrl+q@4";
  const auto files_in = [](const std::filesystem::path& dir) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file();
    return n;
  };
  {  // Ctrl+Q: the window stays with "Finishing the export" and quits once the file is saved.
    gui_test::TempDir home;
    const gui_test::Run run = gui_test::run_window(args, 2000, gui_test::pictures_home_env(home));
    REQUIRE(run.exit_code == 0);
    CHECK(run.layout["closing_frames"].get<int>() >= 1);
    CHECK_THAT(run.layout["status"].get<std::string>(), Catch::Contains("Saved"));
    CHECK(files_in(home.path / "Pictures") == 1);
  }
  {  // Ctrl+Q, then Escape (the dialog's Cancel): the export stops and writes nothing.
    gui_test::TempDir home;
    const gui_test::Run run = gui_test::run_window(args + " --key escape@6", 2000, gui_test::pictures_home_env(home));
    REQUIRE(run.exit_code == 0);
    CHECK(run.layout["closing_frames"].get<int>() >= 2);
    CHECK_THAT(run.layout["status"].get<std::string>(), Catch::Contains("Export cancelled"));
    CHECK(files_in(home.path / "Pictures") == 0);
  }
}
