// The two back-ends of a Figure: pixels (for PNG) and SVG text.
#pragma once
#include <string>
#include <vector>

#include "export/figure.hpp"
#include "export/font_set.hpp"

namespace app {

// RGBA8, rows top to bottom, straight (not premultiplied) alpha.
std::vector<unsigned char> rasterize(const Figure& figure, const FontSet& fonts);

// A standalone SVG 1.1 document: rects for cells, text elements for labels.
std::string to_svg(const Figure& figure);

}  // namespace app
