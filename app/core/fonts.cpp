// Fixed Debian font paths: these come with the packages bootstrap.sh installs
// (fonts-dejavu-core, fonts-droid-fallback, fonts-symbola); others are used when present.
#include "core/fonts.hpp"

#include <filesystem>

namespace app {

std::vector<FontFile> font_chain() {
  struct Candidate {
    const char* path;
    int index;
    const char* family;
    int group;  // one font per group: the first that exists
  };
  static const Candidate kCandidates[] = {
      {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0, "DejaVu Sans", 0},
      {"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0, "Droid Sans Fallback", 1},
      {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "WenQuanYi Micro Hei", 1},
      {"/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", 0, "Symbola", 2},
  };
  std::vector<FontFile> chain;
  int taken_group = -1;
  for (const Candidate& c : kCandidates) {
    if (c.group == taken_group) continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(c.path, ec)) continue;
    chain.push_back({c.path, c.index, c.family});
    taken_group = c.group;
  }
  return chain;
}

std::string svg_font_family() {
  std::string families;
  for (const FontFile& f : font_chain()) families += "'" + f.family + "', ";
  return families + "sans-serif";
}

}  // namespace app
