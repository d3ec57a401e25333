// ImGui's font atlas from the system font chain (DejaVu Sans, then CJK and symbol fallbacks).
// Glyphs are added as the sentence needs them, so any script renders without baking tens of
// thousands of CJK glyphs at start-up.
#pragma once
#include <set>
#include <string>
#include <string_view>

namespace app::gui {

class FontAtlas {
 public:
  // Notes the code points of `text`; returns true when some are new (a rebuild is due).
  bool want_text(std::string_view text);
  // Rebuilds ImGui's atlas at pixel size `size` when the size changed or new glyphs are wanted.
  // Call between frames, before ImGui::NewFrame(). Returns true when it rebuilt.
  bool rebuild_if_needed(float size);
  // Empty when the system fonts were found; otherwise what is missing (shown in the status bar).
  const std::string& warning() const { return m_warning; }
  float size() const { return m_built_size; }

 private:
  std::set<unsigned> m_codepoints;
  bool m_dirty = true;
  float m_built_size = 0.0f;
  std::string m_warning;
};

}  // namespace app::gui
