// Exporting what is shown of an opened model: with the overview (O) or the map of which heads
// matter (I) on screen, Ctrl+E writes that figure, byte for byte what `attnlab export --what
// model|importance` writes for the same model, sentence and look.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gui/gui_harness.hpp"

namespace {

const std::string kFolder = std::string(ATTN_TEST_DATA_DIR) + "/engine/gpt2/f32_prefixed_tied";  // 2 layers x 4 heads

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Runs the window with `keys`, then the command line with `what`; both PNGs.
void check_same_as_cli(const std::string& keys, const std::string& what, const std::string& part) {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);
  const gui_test::Run run =
      gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat sat. The cat' " + keys, 10, env);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(home.path / "Pictures")) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].extension() == ".png");
  CHECK(files[0].filename().string().find("_" + part + "_") != std::string::npos);
  CHECK(run.layout["status"].get<std::string>().find("Saved") != std::string::npos);
  // The window's look: the dark theme at scale 2.
  const std::string cli = (home.path / "cli.png").string();
  const std::string command = std::string(ATTNLAB_BIN) + " export --model " + kFolder +
                              " --text 'The cat sat. The cat' --what " + what + " --theme dark --scale 2 --out " + cli +
                              " >/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string window_png = read_all(files[0]), cli_png = read_all(cli);
  CHECK(window_png.size() > 10000);
  CHECK(window_png == cli_png);
}

}  // namespace

TEST_CASE("Ctrl+E with the model overview shown writes the overview figure as the command line does", "[gui][export]") {
  check_same_as_cli("--key o@2 --key ctrl+e@4", "model", "overview");
}

TEST_CASE("Ctrl+E with the map of which heads matter shown writes that figure as the command line does",
          "[gui][export]") {
  check_same_as_cli("--key i@2 --key ctrl+e@5", "importance", "importance");
}

TEST_CASE("Ctrl+E with one layer's heads shown still writes that layer's heads", "[gui][export]") {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);
  // O twice: the overview, then one layer again.
  const gui_test::Run run = gui_test::run_window(
      "--no-settings --model " + kFolder + " --text 'The cat sat' --key o@2 --key o@5 --key ctrl+e@8", 11, env);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(home.path / "Pictures"))
    names.push_back(e.path().filename().string());
  REQUIRE(names.size() == 1);
  CHECK(names[0].find("_grid_") != std::string::npos);
}
