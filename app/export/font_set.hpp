// Text measuring and glyph rasterising for figures with stb_truetype over the system font chain:
// each code point is drawn by the first font that has it.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/fonts.hpp"

namespace app {

struct GlyphBitmap {
  int width = 0, height = 0, x_offset = 0, y_offset = 0;  // offsets from the pen on the baseline
  std::vector<unsigned char> coverage;                     // width * height, 0..255
};

class FontSet {
 public:
  // Loads font_chain(). Throws attn::FileError when no font can be loaded at all.
  FontSet();
  ~FontSet();
  FontSet(const FontSet&) = delete;
  FontSet& operator=(const FontSet&) = delete;

  // Advance width of `text` at em size `size` pixels.
  float measure(std::string_view text, float size) const;
  float ascent(float size) const;   // above the baseline, of the first font
  float descent(float size) const;  // below the baseline (positive)

  // Calls draw(glyph, pen_x) for each code point of text, pen_x advancing from 0.
  template <typename Draw>
  void for_each_glyph(std::string_view text, float size, Draw&& draw) const {
    float pen = 0.0f;
    for_each_codepoint(text, [&](char32_t cp) {
      const Located g = locate(cp);
      draw(bitmap(g, size), pen);
      pen += advance(g, size);
    });
  }

 private:
  struct Font;
  struct Located {
    int font = -1;
    int glyph = 0;
  };
  template <typename F>
  static void for_each_codepoint(std::string_view text, F&& f);
  Located locate(char32_t cp) const;
  float advance(const Located& g, float size) const;
  const GlyphBitmap& bitmap(const Located& g, float size) const;

  std::vector<std::unique_ptr<Font>> m_fonts;
  mutable std::map<std::tuple<int, int, int>, GlyphBitmap> m_cache;  // (font, glyph, size*4)
};

template <typename F>
void FontSet::for_each_codepoint(std::string_view text, F&& f) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = s[i];
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < text.size()) { c = ((c & 7u) << 18) | ((s[i + 1] & 63u) << 12) | ((s[i + 2] & 63u) << 6) | (s[i + 3] & 63u); len = 4; }
    else if (c >= 0xE0 && i + 2 < text.size()) { c = ((c & 15u) << 12) | ((s[i + 1] & 63u) << 6) | (s[i + 2] & 63u); len = 3; }
    else if (c >= 0xC0 && i + 1 < text.size()) { c = ((c & 31u) << 6) | (s[i + 1] & 63u); len = 2; }
    else if (c >= 0x80) c = 0xFFFD;
    i += len;
    f(c);
  }
}

}  // namespace app
