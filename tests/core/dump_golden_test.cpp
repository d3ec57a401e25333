// `attnlab dump` against what the landed version wrote (tests/fixtures/dump, one folder a case of
// cases.txt): the same files, each array byte-identical or within 1e-6 of its largest value, the
// same tokens.json. Guards the explorer's move onto the one model forward (issue 18).
#include <catch2/catch.hpp>

#include "cli_run.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/npy.hpp"
#include "engine/npz.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kTests = ATTN_TEST_DATA_DIR;
const fs::path kGolden = kTests / "fixtures" / "dump";

struct Case {
  std::string name, args;
};

std::vector<Case> read_cases() {
  std::ifstream in(kGolden / "cases.txt");
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    std::string args = line.substr(colon + 2);
    for (std::size_t at; (at = args.find("@TESTS@")) != std::string::npos;) args.replace(at, 7, kTests.string());
    cases.push_back({line.substr(0, colon), args});
  }
  return cases;
}

std::set<std::string> files_under(const fs::path& root) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) names.insert(fs::relative(entry.path(), root).string());
  return names;
}

// Byte-identical, or the same shape and no element further than 1e-6 of the largest |value| apart.
void check_array(const std::string& what, const std::string& expected_bytes, const std::string& got_bytes) {
  if (expected_bytes == got_bytes) return;
  const attn::NpyArray expected = attn::npy_decode(expected_bytes, what);
  const attn::NpyArray got = attn::npy_decode(got_bytes, what);
  INFO(what);
  REQUIRE(got.shape == expected.shape);
  float largest = 0.0f, worst = 0.0f;
  for (float v : expected.data) largest = std::max(largest, std::fabs(v));
  for (std::size_t i = 0; i < got.data.size(); ++i) worst = std::max(worst, std::fabs(got.data[i] - expected.data[i]));
  INFO("largest |value| " << largest << ", largest difference " << worst);
  CHECK(worst <= 1e-6f * largest);
}

// Paths differ between checkouts: compare a path-valued key by its file name.
nlohmann::json without_paths(nlohmann::json j) {
  for (const char* key : {"model", "weights"})
    if (j.contains(key) && j[key].is_string()) j[key] = fs::path(j[key].get<std::string>()).filename().string();
  return j;
}

}  // namespace

TEST_CASE("dump writes what the landed version wrote for the explorer, the lesson models and a GPT-2 folder",
          "[cli][dump][golden]") {
  const std::vector<Case> cases = read_cases();
  REQUIRE(cases.size() >= 12);
  for (const Case& c : cases) {
    INFO("case " << c.name << ": dump " << c.args);
    test_support::TempDir dir;
    const fs::path out = dir.path / c.name;
    const test_support::Result r = test_support::run("dump --out " + out.string() + " " + c.args);
    INFO(r.out);
    REQUIRE(r.code == 0);
    const fs::path expected = kGolden / c.name;
    REQUIRE(files_under(out) == files_under(expected));
    for (const std::string& name : files_under(expected)) {
      const std::string want = attn::read_file((expected / name).string());
      const std::string got = attn::read_file((out / name).string());
      if (name.size() > 4 && name.substr(name.size() - 4) == ".npy") {
        check_array(c.name + "/" + name, want, got);
      } else if (name.size() > 4 && name.substr(name.size() - 4) == ".npz") {
        const auto want_entries = attn::npz_read(want, name), got_entries = attn::npz_read(got, name);
        REQUIRE(got_entries.size() == want_entries.size());
        for (const auto& [key, bytes] : want_entries) {
          REQUIRE(got_entries.count(key) == 1);
          check_array(c.name + "/" + name + ":" + key, bytes, got_entries.at(key));
        }
      } else {
        INFO(name);
        CHECK(without_paths(nlohmann::json::parse(got)) == without_paths(nlohmann::json::parse(want)));
      }
    }
  }
}
