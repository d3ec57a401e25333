// The fuzz targets' seed corpus and every input that once crashed one, run through the same
// target bodies in the normal (GCC) build: a fixed crash stays fixed without libFuzzer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/harnesses.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kFuzzDir = fs::path(ATTN_TEST_DATA_DIR) / "fuzz";

std::vector<fs::path> files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  if (!fs::is_directory(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("every seed and regression input runs through its fuzz target without a crash", "[fuzz]") {
  for (const app::fuzz::Target& target : app::fuzz::targets()) {
    DYNAMIC_SECTION(target.name) {
      const std::vector<fs::path> seeds = files_in(kFuzzDir / "corpus" / target.name);
      CHECK(seeds.size() >= 5);  // a target without its seeds would pass here having run nothing
      std::vector<fs::path> inputs = seeds;
      const std::vector<fs::path> regressions = files_in(kFuzzDir / "regressions" / target.name);
      inputs.insert(inputs.end(), regressions.begin(), regressions.end());
      for (const fs::path& input : inputs) {
        INFO(input.string());
        const std::string bytes = read_bytes(input);
        // The documented exceptions are caught inside the body; anything else is a failure here,
        // and a broken invariant aborts the test.
        CHECK_NOTHROW(target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
      }
    }
  }
}

TEST_CASE("every corpus and regression folder belongs to a fuzz target", "[fuzz]") {
  // An input saved under a name no target has would never be replayed.
  std::vector<std::string> names;
  for (const app::fuzz::Target& target : app::fuzz::targets()) names.push_back(target.name);
  for (const char* kind : {"corpus", "regressions"}) {
    if (!fs::is_directory(kFuzzDir / kind)) continue;
    for (const auto& entry : fs::directory_iterator(kFuzzDir / kind)) {
      INFO(entry.path().string());
      CHECK(std::find(names.begin(), names.end(), entry.path().filename().string()) != names.end());
    }
  }
  // And every target has a libFuzzer main of its own.
  for (const std::string& name : names) {
    INFO(name);
    CHECK(fs::is_regular_file(kFuzzDir / (name + "_fuzz.cpp")));
  }
}
