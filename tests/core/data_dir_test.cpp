// The data folder lookup order: ATTNLAB_DATA_DIR, then the install prefix beside the binary, then
// the source tree; and the lesson names the CLI and the window accept.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/data_dir.hpp"
#include "core/lessons.hpp"

namespace fs = std::filesystem;
using app::DataDirSource;
using app::find_data_dir;
using test_support::TempDir;

namespace {

// prefix/bin/attnlab, and prefix/share/attnlab when `installed`.
fs::path make_prefix(const fs::path& prefix, bool installed) {
  fs::create_directories(prefix / "bin");
  std::ofstream(prefix / "bin" / "attnlab") << "";
  if (installed) fs::create_directories(prefix / "share" / "attnlab" / "models");
  return prefix / "bin" / "attnlab";
}

}  // namespace

TEST_CASE("an installed binary reads the data beside it, named without ..", "[data_dir]") {
  TempDir dir;
  const fs::path exe = make_prefix(dir.path / "usr", true);
  const app::DataDir d = find_data_dir(nullptr, exe.string(), "../share/attnlab", "/src/assets");
  CHECK(d.source == DataDirSource::Installed);
  CHECK(d.path == (dir.path / "usr" / "share" / "attnlab").string());
}

TEST_CASE("a binary with no installed data beside it reads the source tree", "[data_dir]") {
  TempDir dir;
  const fs::path exe = make_prefix(dir.path / "build" / "release", false);
  const app::DataDir d = find_data_dir(nullptr, exe.string(), "../share/attnlab", "/src/assets");
  CHECK(d.source == DataDirSource::SourceTree);
  CHECK(d.path == "/src/assets");
  // An unknown executable path (no /proc) also falls back to the source tree.
  CHECK(find_data_dir(nullptr, "", "../share/attnlab", "/src/assets").path == "/src/assets");
}

TEST_CASE("ATTNLAB_DATA_DIR wins over an installed copy, an empty value is unset", "[data_dir]") {
  TempDir dir;
  const fs::path exe = make_prefix(dir.path / "usr", true);
  const app::DataDir d = find_data_dir("/elsewhere", exe.string(), "../share/attnlab", "/src/assets");
  CHECK(d.source == DataDirSource::Environment);
  CHECK(d.path == "/elsewhere");
  CHECK(find_data_dir("", exe.string(), "../share/attnlab", "/src/assets").source == DataDirSource::Installed);
}

TEST_CASE("this test binary, in the build tree, finds the source tree's lesson models", "[data_dir]") {
  unsetenv("ATTNLAB_DATA_DIR");  // this process only: the lookup without the override
  CHECK(app::data_dir().source == DataDirSource::SourceTree);
  for (const std::string& name : app::lesson_names()) CHECK(fs::is_regular_file(app::lesson_path(name)));
}

TEST_CASE("lesson names and their message text", "[data_dir]") {
  CHECK(app::lesson_names_text() == "sentences, induction, reverse, sort or english");
  CHECK(app::is_lesson("induction"));
  CHECK_FALSE(app::is_lesson("Induction"));
  CHECK_FALSE(app::is_lesson(""));
}
