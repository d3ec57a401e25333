// xvfb-run gives each run its own display, so GUI tests need no display of the machine's own
// and cannot disturb each other.
#include "gui_harness.hpp"

#include <stb_image.h>
#include <unistd.h>

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

Run run_window(const std::string& args, int frames, const std::string& env) {
  TempDir dir;
  const std::string base = dir.path.string();
  const std::string shot = base + "/shot.png", layout = base + "/layout.json", err = base + "/stderr.txt";
  const std::string command =
      "cd " + shell_quote(base) + " && env XDG_CONFIG_HOME=" + shell_quote(base + "/config") +
      " HOME=" + shell_quote(base) +
      // Mesa's driver leaks a little at exit and is dlclose()d before LeakSanitizer reports, so a
      // suppression cannot name it; our own code is leak-checked by the core and engine suites.
      " ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" " + env +
      " xvfb-run -a -n " + std::to_string(100 + getpid() % 800) + " -s '-screen 0 1600x1000x24' " ATTNLAB_BIN " " + args +
      " --size 1400x900 --frames " + std::to_string(frames) + " --screenshot " + shell_quote(shot) +
      " --layout " + shell_quote(layout) + " 2> " + shell_quote(err);
  Run run;
  const int status = std::system(command.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.stderr_text = slurp(err);
  const std::string png = slurp(shot);
  if (!png.empty()) {
    int channels = 0;
    unsigned char* pixels = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                                  static_cast<int>(png.size()), &run.screenshot.width,
                                                  &run.screenshot.height, &channels, 4);
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
