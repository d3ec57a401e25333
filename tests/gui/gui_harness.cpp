// xvfb-run gives each run its own display, so GUI tests need no display of the machine's own
// and cannot disturb each other.
#include "gui_harness.hpp"

#include <stb_image.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gui_test {

namespace fs = std::filesystem;

namespace {
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

namespace {
Run run_in(const std::string& args, int frames, const std::string& env, int width, int height, bool screenshot) {
  TempDir dir;
  const std::string base = dir.path.string();
  const std::string shot = base + "/shot.png", layout = base + "/layout.json", err = base + "/stderr.txt";
  // Full screen fills the screen: a presentation run gets a screen of exactly the size asked for.
  const bool fullscreen = args.find("--fullscreen") != std::string::npos;
  const int screen_w = fullscreen ? width : std::max(width, 1600),
            screen_h = fullscreen ? height : std::max(height, 1000);
  const std::string command =
      "cd " + shell_quote(base) + " && env XDG_CONFIG_HOME=" + shell_quote(base + "/config") +
      " HOME=" + shell_quote(base) +
      // Mesa's driver leaks a little at exit and is dlclose()d before LeakSanitizer reports, so a
      // suppression cannot name it; our own code is leak-checked by the core and engine suites.
      " ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" " + env + " xvfb-run -a -n " +
      std::to_string(100 + getpid() % 800) + " -s '-screen 0 " + std::to_string(screen_w) + "x" +
      std::to_string(screen_h) + "x24' " ATTNLAB_BIN " " + args + " --size " + std::to_string(width) + "x" +
      std::to_string(height) + " --frames " + std::to_string(frames) +
      (screenshot ? " --screenshot " + shell_quote(shot) : "") + " --layout " + shell_quote(layout) + " 2> " +
      shell_quote(err);
  Run run;
  const int status = std::system(command.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.stderr_text = slurp(err);
  const std::string png = slurp(shot);
  if (!png.empty()) {
    int channels = 0;
    unsigned char* pixels =
        stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()), static_cast<int>(png.size()),
                              &run.screenshot.width, &run.screenshot.height, &channels, 4);
    if (pixels) {
      run.screenshot.rgba.assign(pixels, pixels + static_cast<std::size_t>(run.screenshot.width) *
                                                      static_cast<std::size_t>(run.screenshot.height) * 4);
      stbi_image_free(pixels);
    }
  }
  const std::string json = slurp(layout);
  if (!json.empty()) run.layout = nlohmann::json::parse(json, nullptr, false);
  return run;
}
}  // namespace

Run run_window(const std::string& args, int frames, const std::string& env) {
  return run_in(args, frames, env, 1400, 900, true);
}

Run run_window_sized(const std::string& args, int width, int height, int frames, bool screenshot) {
  return run_in(args, frames, "", width, height, screenshot);
}

std::vector<std::string> text_problems(const nlohmann::json& layout) {
  std::vector<std::string> problems;
  const float window_w = layout["window"][0].get<float>(), window_h = layout["window"][1].get<float>();
  const auto describe = [](const nlohmann::json& t) {
    std::ostringstream out;
    out << t["kind"].get<std::string>() << " \"" << t["text"].get<std::string>() << "\" at (" << t["x"].get<float>()
        << ", " << t["y"].get<float>() << ") " << t["w"].get<float>() << "x" << t["h"].get<float>();
    return out.str();
  };
  const auto& texts = layout["texts"];
  const float touch = 0.5f;  // edges that meet are not an overlap
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto& a = texts[i];
    const float ax = a["x"], ay = a["y"], aw = a["w"], ah = a["h"];
    if (a["cut"].get<bool>()) problems.push_back("cut: " + describe(a));
    if (ax < -touch || ay < -touch || ax + aw > window_w + touch || ay + ah > window_h + touch)
      problems.push_back("outside the window: " + describe(a));
    for (std::size_t j = i + 1; j < texts.size(); ++j) {
      const auto& b = texts[j];
      if (a["window"] != b["window"]) continue;  // a window on top hides what is below it
      const float bx = b["x"], by = b["y"], bw = b["w"], bh = b["h"];
      const float ox = std::min(ax + aw, bx + bw) - std::max(ax, bx),
                  oy = std::min(ay + ah, by + bh) - std::max(ay, by);
      if (ox > touch && oy > touch) problems.push_back("overlap: " + describe(a) + " and " + describe(b));
    }
  }
  return problems;
}

std::vector<std::string> label_problems(const nlohmann::json& layout, int max_tokens) {
  std::vector<std::string> problems;
  const float slack = 0.5f;
  for (const auto& h : layout["heatmaps"]) {
    const std::string matrix = h["matrix"].get<std::string>();
    const bool lines = matrix == "lines";
    if (matrix != "attention" && matrix != "raw score" && !lines) continue;
    const int rows = h["rows"].get<int>(), cols = h["cols"].get<int>();
    if (rows > max_tokens || cols > max_tokens) continue;
    const float x = h["x"], y = h["y"], w = h["w"], hh = h["h"];
    const float cell_h = hh / static_cast<float>(rows), cell_w = w / static_cast<float>(cols);
    std::ostringstream where;
    where << matrix << " head " << h["head"].get<int>() + 1 << " layer " << h.value("layer", 0) + 1 << " (" << rows
          << " tokens at " << x << ", " << y << ")";
    // A row label: right of it the map (or, for the lines view's keys, left of it the map), its
    // middle in row i's band.
    const auto row_has = [&](const char* kind, int i, bool right_side) {
      for (const auto& t : layout["texts"]) {
        if (t["kind"] != kind || t["text"].get<std::string>().empty()) continue;
        const float tx = t["x"], ty = t["y"], tw = t["w"], th = t["h"];
        const float mid = ty + th * 0.5f;
        const bool beside = right_side ? tx >= x + w - slack : tx + tw <= x + slack;
        if (beside && mid >= y + cell_h * static_cast<float>(i) - slack &&
            mid <= y + cell_h * static_cast<float>(i + 1) + slack)
          return true;
      }
      return false;
    };
    // A column label: above the map, its middle in column j's band.
    const auto column_has = [&](int j) {
      for (const auto& t : layout["texts"]) {
        if (t["kind"] != "column_label" || t["text"].get<std::string>().empty()) continue;
        const float tx = t["x"], ty = t["y"], tw = t["w"], th = t["h"];
        const float mid = tx + tw * 0.5f;
        if (ty + th <= y + slack && mid >= x + cell_w * static_cast<float>(j) - slack &&
            mid <= x + cell_w * static_cast<float>(j + 1) + slack)
          return true;
      }
      return false;
    };
    // Rows scrolled out of their region are not drawn, and neither are their labels.
    const float top = h.contains("visible") ? h["visible"][0].get<float>() : y;
    const float bottom = h.contains("visible") ? h["visible"][1].get<float>() : y + hh;
    const auto shown = [&](int i) {
      const float mid = y + cell_h * (static_cast<float>(i) + 0.5f);
      return mid >= top && mid <= bottom;
    };
    const bool columns_shown = y - cell_h >= top && y <= bottom;  // the band just above the map shows
    for (int i = 0; i < rows; ++i)
      if (shown(i) && !row_has("row_label", i, false)) {
        problems.push_back(where.str() + ": no label for row " + std::to_string(i + 1));
        break;
      }
    for (int j = 0; j < (lines ? rows : cols); ++j)
      if (lines ? shown(j) && !row_has("column_label", j, true) : columns_shown && !column_has(j)) {
        problems.push_back(where.str() + ": no label for " + (lines ? "key " : "column ") + std::to_string(j + 1));
        break;
      }
  }
  return problems;
}

bool has_text(const nlohmann::json& layout, const std::string& kind, const std::string& part) {
  for (const auto& t : layout["texts"])
    if (t["kind"] == kind && t["text"].get<std::string>().find(part) != std::string::npos) return true;
  return false;
}

std::string pictures_home_env(const TempDir& home) {
  std::filesystem::create_directories(home.path / "Pictures");
  std::filesystem::create_directories(home.path / "config");
  std::ofstream(home.path / "config" / "user-dirs.dirs") << "XDG_PICTURES_DIR=\"$HOME/Pictures\"\n";
  return "HOME=" + home.path.string() + " XDG_CONFIG_HOME=" + (home.path / "config").string();
}

const nlohmann::json* find_heatmap(const nlohmann::json& layout, const char* matrix, int head, int layer) {
  for (const auto& h : layout["heatmaps"])
    if (h["matrix"] == matrix && h["head"] == head && h.value("layer", 0) == layer) return &h;
  return nullptr;
}

}  // namespace gui_test
