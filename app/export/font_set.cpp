// stb_truetype behind a small cache: figures repeat the same few glyphs thousands of times.
#include "export/font_set.hpp"

#include <stb_truetype.h>

#include <cmath>

#include "engine/npy.hpp"
#include "engine/weights.hpp"

namespace app {

struct FontSet::Font {
  std::string bytes;
  stbtt_fontinfo info{};
};

FontSet::FontSet() {
  for (const FontFile& file : font_chain()) {
    auto font = std::make_unique<Font>();
    try {
      font->bytes = attn::read_file(file.path);
    } catch (const attn::FileError&) {
      continue;
    }
    const auto* data = reinterpret_cast<const unsigned char*>(font->bytes.data());
    const int offset = stbtt_GetFontOffsetForIndex(data, file.collection_index);
    if (offset < 0 || !stbtt_InitFont(&font->info, data, offset)) continue;
    m_fonts.push_back(std::move(font));
  }
  if (m_fonts.empty())
    throw attn::FileError("no usable font found: install fonts-dejavu-core (DejaVu Sans) for figures with text");
}

FontSet::~FontSet() = default;

FontSet::Located FontSet::locate(char32_t cp) const {
  for (std::size_t i = 0; i < m_fonts.size(); ++i) {
    const int glyph = stbtt_FindGlyphIndex(&m_fonts[i]->info, static_cast<int>(cp));
    if (glyph != 0) return {static_cast<int>(i), glyph};
  }
  // Nothing has it: the replacement character, or the first font's missing-glyph box.
  if (cp != 0xFFFD) return locate(0xFFFD);
  return {0, 0};
}

float FontSet::advance(const Located& g, float size) const {
  const stbtt_fontinfo& info = m_fonts[static_cast<std::size_t>(g.font)]->info;
  int advance = 0, bearing = 0;
  stbtt_GetGlyphHMetrics(&info, g.glyph, &advance, &bearing);
  return static_cast<float>(advance) * stbtt_ScaleForMappingEmToPixels(&info, size);
}

const GlyphBitmap& FontSet::bitmap(const Located& g, float size) const {
  const auto key = std::make_tuple(g.font, g.glyph, static_cast<int>(std::lround(size * 4.0f)));
  const auto found = m_cache.find(key);
  if (found != m_cache.end()) return found->second;
  const stbtt_fontinfo& info = m_fonts[static_cast<std::size_t>(g.font)]->info;
  const float scale = stbtt_ScaleForMappingEmToPixels(&info, size);
  GlyphBitmap b;
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  stbtt_GetGlyphBitmapBox(&info, g.glyph, scale, scale, &x0, &y0, &x1, &y1);
  b.width = x1 - x0;
  b.height = y1 - y0;
  b.x_offset = x0;
  b.y_offset = y0;
  if (b.width > 0 && b.height > 0) {
    b.coverage.assign(static_cast<std::size_t>(b.width * b.height), 0);
    stbtt_MakeGlyphBitmap(&info, b.coverage.data(), b.width, b.height, b.width, scale, scale, g.glyph);
  }
  return m_cache.emplace(key, std::move(b)).first->second;
}

float FontSet::measure(std::string_view text, float size) const {
  float width = 0.0f;
  for_each_codepoint(text, [&](char32_t cp) { width += advance(locate(cp), size); });
  return width;
}

float FontSet::ascent(float size) const {
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(&m_fonts[0]->info, &ascent, &descent, &gap);
  return static_cast<float>(ascent) * stbtt_ScaleForMappingEmToPixels(&m_fonts[0]->info, size);
}

float FontSet::descent(float size) const {
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(&m_fonts[0]->info, &ascent, &descent, &gap);
  return -static_cast<float>(descent) * stbtt_ScaleForMappingEmToPixels(&m_fonts[0]->info, size);
}

}  // namespace app
