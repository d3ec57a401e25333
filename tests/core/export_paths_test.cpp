// Export names and folders: readable names, the XDG pictures folder, never an overwrite.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "export/export_paths.hpp"

namespace fs = std::filesystem;

TEST_CASE("suggested names are built from the sentence, the part and the time", "[paths]") {
  std::tm t{};
  t.tm_year = 126;
  t.tm_mon = 10;
  t.tm_mday = 22;
  t.tm_hour = 15;
  t.tm_min = 30;
  t.tm_sec = 12;
  const std::time_t when = std::mktime(&t);
  CHECK(app::suggested_file_name("The cat sat on the mat", "head3", "png", when) ==
        "attention_the-cat-sat-on_head3_2026-11-22_153012.png");
  CHECK(app::suggested_file_name("我爱你", "grid", "svg", when) == "attention_sentence_grid_2026-11-22_153012.svg");
  CHECK(app::suggested_file_name("", "qkv1", "csv", when).rfind("attention_sentence_qkv1_", 0) == 0);
}

TEST_CASE("an existing file is never overwritten", "[paths]") {
  const fs::path dir = fs::temp_directory_path() / "attnlab-unique-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "f.png").string();
  CHECK(app::unique_path(path) == path);
  std::ofstream(path) << "x";
  CHECK(app::unique_path(path) == (dir / "f-2.png").string());
  std::ofstream((dir / "f-2.png").string()) << "x";
  CHECK(app::unique_path(path) == (dir / "f-3.png").string());
  fs::remove_all(dir);
}

TEST_CASE("the default folder is XDG_PICTURES_DIR when it exists, else the working folder", "[paths]") {
  const fs::path home = fs::temp_directory_path() / "attnlab-home-test";
  fs::remove_all(home);
  fs::create_directories(home / ".config");
  fs::create_directories(home / "Bilder");
  std::ofstream(home / ".config" / "user-dirs.dirs") << "# comment\nXDG_PICTURES_DIR=\"$HOME/Bilder\"\n";
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home ? old_home : "";
  const char* old_xdg = std::getenv("XDG_CONFIG_HOME");
  const std::string saved_xdg = old_xdg ? old_xdg : "";
  setenv("HOME", home.c_str(), 1);
  unsetenv("XDG_CONFIG_HOME");
  CHECK(app::default_export_dir() == (home / "Bilder").string());
  fs::remove_all(home / "Bilder");
  CHECK(app::default_export_dir() == fs::current_path().string());
  if (old_home) setenv("HOME", saved_home.c_str(), 1);
  if (old_xdg) setenv("XDG_CONFIG_HOME", saved_xdg.c_str(), 1);
  fs::remove_all(home);
}
