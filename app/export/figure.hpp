// A figure as a display list: filled rectangles, lines and text in pixel units. The layout builds
// it once; the Cairo painter draws the same list onto PNG, SVG and PDF, so the formats agree.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace app {

struct Rgba {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

enum class TextAlign { Start, Middle, End };

struct FigureRect {
  float x, y, w, h;
  Rgba fill;
};

struct FigureLine {
  float x0, y0, x1, y1, width;
  Rgba color;
};

// Text on a baseline through (x, y). Horizontal text runs right; vertical text is rotated -90°
// and runs upwards from (x, y). `align` places the anchor at the start, middle or end of the run.
struct FigureText {
  float x, y, size;
  Rgba color;
  std::string text;
  TextAlign align = TextAlign::Start;
  bool vertical = false;
};

struct Figure {
  int width = 0, height = 0;
  std::string title;               // the document title of SVG and PDF files
  std::optional<Rgba> background;  // none: transparent
  std::vector<FigureRect> rects;
  std::vector<FigureLine> lines;
  std::vector<FigureText> texts;
};

}  // namespace app
