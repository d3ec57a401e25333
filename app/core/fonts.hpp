// The system fonts the window and the exported figures draw text with, in fallback order:
// DejaVu Sans (Latin, Greek, Cyrillic), then a CJK font, then Symbola for emoji and symbols.
#pragma once
#include <string>
#include <vector>

namespace app {

struct FontFile {
  std::string path;
  int collection_index = 0;  // for .ttc collections
  std::string family;        // the name SVG files ask for
};

// The fonts of the chain that exist on this machine, in order. Empty when none does.
std::vector<FontFile> font_chain();

// The CSS font-family list for SVG text, matching the chain.
std::string svg_font_family();

}  // namespace app
