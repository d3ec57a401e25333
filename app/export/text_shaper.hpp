// Text for figures through Pango: HarfBuzz shaping for every script (Arabic and Hebrew right to
// left, Devanagari clusters), fontconfig fallback for code points DejaVu Sans lacks (CJK, color
// emoji). The layout measures with the same shaped lines the Cairo painter draws.
#pragma once
#include <memory>
#include <string>
#include <string_view>

struct _PangoLayout;  // Pango's opaque line of shaped text; only the painter looks inside

namespace app {

class TextShaper {
 public:
  // Throws attn::FileError when fontconfig finds no font at all.
  TextShaper();
  ~TextShaper();
  TextShaper(const TextShaper&) = delete;
  TextShaper& operator=(const TextShaper&) = delete;

  // Advance width of `text` shaped at em size `size` pixels (its logical width).
  float measure(std::string_view text, float size) const;
  float ascent(float size) const;   // above the baseline, of the primary font
  float descent(float size) const;  // below the baseline (positive)

  // `text` shaped at `size`, cached: figures repeat the same few labels thousands of times.
  // Owned by the shaper; the baseline of the line is `baseline_of(layout)` below its top.
  _PangoLayout* layout(std::string_view text, float size) const;
  static float baseline_of(_PangoLayout* layout);

  // The family the figures ask for first (also written into SVG's selectable-text layer).
  static const char* family() { return "DejaVu Sans"; }

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace app
