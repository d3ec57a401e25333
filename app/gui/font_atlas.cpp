// Font atlas rebuilds: chain order decides which font draws a code point (first that has it).
#include "gui/font_atlas.hpp"

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <vector>

#include "core/fonts.hpp"

namespace app::gui {

namespace {

// Decodes UTF-8 leniently; invalid bytes were already turned into U+FFFD by the tokenizer.
void collect_codepoints(std::string_view text, std::set<unsigned>& out, bool& added) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    unsigned c = s[i];
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < n) { c = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu); len = 4; }
    else if (c >= 0xE0 && i + 2 < n) { c = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu); len = 3; }
    else if (c >= 0xC0 && i + 1 < n) { c = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu); len = 2; }
    i += len;
    if (c < 0x250 || c > 0x10FFFF) continue;  // Latin ranges are always in the atlas
    if (out.insert(c).second) added = true;
  }
}

}  // namespace

bool FontAtlas::want_text(std::string_view text) {
  bool added = false;
  collect_codepoints(text, m_codepoints, added);
  if (added) m_dirty = true;
  return added;
}

bool FontAtlas::rebuild_if_needed(float size) {
  if (!m_dirty && size == m_built_size) return false;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();

  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
  static const ImWchar kAlwaysRanges[] = {
      0x0100, 0x024F,  // Latin Extended-A/B
      0x0370, 0x03FF,  // Greek (the math of attention)
      0x0400, 0x04FF,  // Cyrillic
      0x2000, 0x206F,  // General punctuation (…, –, ·)
      0x2190, 0x21FF,  // Arrows
      0x2200, 0x22FF,  // Math operators
      0x25A0, 0x25FF,  // Geometric shapes
      0xFFFD, 0xFFFD,  // the replacement character shown for invalid bytes
      0};
  builder.AddRanges(kAlwaysRanges);
  for (unsigned c : m_codepoints)
    if (c <= 0xFFFF) builder.AddChar(static_cast<ImWchar>(c));  // ImWchar is 16-bit in 1.86
  ImVector<ImWchar> ranges;
  builder.BuildRanges(&ranges);

  const std::vector<FontFile> chain = font_chain();
  m_warning.clear();
  bool first = true;
  for (const FontFile& font : chain) {
    ImFontConfig config;
    config.MergeMode = !first;
    config.FontNo = font.collection_index;
    config.OversampleH = 2;
    config.OversampleV = 1;
    config.PixelSnapH = true;
    if (io.Fonts->AddFontFromFileTTF(font.path.c_str(), size, &config, ranges.Data)) first = false;
  }
  if (first) {
    m_warning = "DejaVu Sans was not found (install fonts-dejavu-core); using ImGui's built-in font, "
                "which shows only ASCII";
    ImFontConfig config;
    config.SizePixels = size;
    io.Fonts->AddFontDefault(&config);
  }
  io.Fonts->Build();
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  m_dirty = false;
  m_built_size = size;
  return true;
}

}  // namespace app::gui
