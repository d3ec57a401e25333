// The system font files the window's text atlas is built from, found through fontconfig: DejaVu
// Sans first, then whatever fontconfig picks for CJK and for emoji and symbols. (Figures shape
// their text through Pango, which asks fontconfig itself: export/text_shaper.hpp.)
#pragma once
#include <string>
#include <vector>

namespace app {

struct FontFile {
  std::string path;
  int collection_index = 0;  // for .ttc collections
  std::string family;
};

// One font per script group (Latin/Greek/Cyrillic, CJK, emoji and symbols), in that order, each
// the one fontconfig matches for a sample of the group; a group no installed font covers is left
// out. Only outline fonts: the window's rasteriser cannot draw color bitmap emoji.
std::vector<FontFile> font_chain();

}  // namespace app
