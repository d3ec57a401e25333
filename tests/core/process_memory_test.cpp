// The resident-memory reading the soak benchmarks print.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "core/process_memory.hpp"

TEST_CASE("resident memory rises by what the process touches", "[soak]") {
  const std::size_t before = app::resident_bytes();
  REQUIRE(before > 0);
  std::vector<char> block(64u << 20);
  std::memset(block.data(), 1, block.size());  // touched, so the pages are resident
  const std::size_t after = app::resident_bytes();
  CHECK(after >= before + (48u << 20));
  CHECK(block[block.size() / 2] == 1);
}
