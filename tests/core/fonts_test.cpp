// The fonts the window draws with come from packages bootstrap.sh installs, found through
// fontconfig: on a machine without one of them this fails, instead of tokens silently drawing as
// boxes.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/fonts.hpp"

TEST_CASE("every script group of the window's font chain has an installed font") {
  const std::vector<app::FontFile> chain = app::font_chain();
  // Group order: Latin/Greek/Cyrillic, CJK, emoji and symbols (core/fonts.cpp).
  REQUIRE(chain.size() == 3);
  CHECK(chain[0].family == "DejaVu Sans");
  CHECK(chain[1].family == "Droid Sans Fallback");  // fonts-droid-fallback
  CHECK(chain[2].family == "Symbola");              // fonts-symbola: outline emoji ImGui can draw
  for (const app::FontFile& font : chain) {
    INFO(font.path);
    CHECK(std::filesystem::file_size(font.path) > 10000);
  }
}
