// Font atlas rebuilds: chain order decides which font draws a code point (first that has it).
#include "gui/font_atlas.hpp"

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <vector>

#include "core/fonts.hpp"
#include "engine/text/utf8.hpp"

namespace app::gui {

namespace {

// The code points of `text` beyond Latin-1 (always in the atlas), through the one UTF-8 decoder;
// an invalid byte was already shown as U+FFFD by the tokenizer and adds nothing here.
void collect_codepoints(std::string_view text, std::set<unsigned>& out, bool& added) {
  for (std::size_t i = 0; i < text.size();) {
    const attn::Utf8Char c = attn::decode_utf8(text, i);
    i += c.len;
    if (!c.valid || c.cp < 0x100) continue;
    if (out.insert(static_cast<unsigned>(c.cp)).second) added = true;
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
  // Beyond Latin-1 only the symbols the UI's own labels use; the sentence's other characters
  // (Greek, Cyrillic, CJK, ...) are added as they appear, which keeps the atlas small and the
  // start fast.
  builder.AddText(
      "\xE2\x80\xA6\xE2\x80\x93\xE2\x80\x94\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x98\xE2\x80\x99"  // … – — “ ” ‘ ’
      "\xE2\x86\x90\xE2\x86\x92\xE2\x97\x8F\xE2\x96\xB8\xE2\x97\x82\xE2\x98\xB0"              // ← → ● ▸ ◂ ☰
      "\xC3\x97\xE2\x88\x9A\xEF\xBF\xBD"                                                      // × √ �
      "\xE2\x90\xA3\xE2\x86\xB5\xE2\x87\xA5\xE2\x90\x8D");  // ␣ ↵ ⇥ ␍ in token labels (token_text)
  for (unsigned c : m_codepoints)
    if (c <= 0xFFFF) builder.AddChar(static_cast<ImWchar>(c));  // ImWchar is 16-bit in 1.86
  ImVector<ImWchar> ranges;
  builder.BuildRanges(&ranges);

  const std::vector<FontFile> chain = font_chain();
  m_warning.clear();
  // DejaVu Sans covers Latin, Greek, Cyrillic, arrows and math. The CJK and symbol fonts (several
  // MB to parse) are merged only once the text has a code point beyond those, which keeps the
  // start fast for the common case.
  const bool need_fallbacks =
      std::any_of(m_codepoints.begin(), m_codepoints.end(), [](unsigned c) { return c >= 0x2300; });
  bool first = true;
  for (const FontFile& font : chain) {
    if (!first && !need_fallbacks) break;
    ImFontConfig config;
    config.MergeMode = !first;
    config.FontNo = font.collection_index;
    config.OversampleH = 2;
    config.OversampleV = 1;
    config.PixelSnapH = true;
    if (io.Fonts->AddFontFromFileTTF(font.path.c_str(), size, &config, ranges.Data)) first = false;
  }
  if (first) {
    m_warning =
        "DejaVu Sans was not found (install fonts-dejavu-core); using ImGui's built-in font, "
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
