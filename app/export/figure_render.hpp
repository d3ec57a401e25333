// A Figure drawn through Cairo: one painter for the PNG, SVG and PDF surfaces, so every format
// shows the same picture. Sizes are checked first, so no encoder is handed a size it cannot hold.
#pragma once
#include <string>
#include <vector>

#include "export/export_format.hpp"
#include "export/figure.hpp"
#include "export/text_shaper.hpp"

namespace app {

// Largest figure side in pixels (Cairo's image surfaces and PDF viewers stop at 32767) and the
// largest PNG, in pixels (256 megapixels: a minute of encoding, far beyond any slide or page).
inline constexpr int kMaxFigureSide = 32767;
inline constexpr long long kMaxFigurePixels = 1LL << 28;

// Throws std::invalid_argument naming the size, the limit and how to get under it.
void check_figure_size(const Figure& figure, ExportFormat format);

// The encoded file (PNG, SVG or PDF; data formats are refused). PNG is drawn in horizontal bands straight into the
// encoder, so memory stays a few megabytes at any size; RGB without alpha unless the background is transparent. SVG
// draws glyphs as outlines (exact in every viewer) under an invisible layer of real <text>, so
// words stay selectable and searchable; PDF embeds subset fonts and keeps text selectable.
std::string encode_figure(const Figure& figure, ExportFormat format, const TextShaper& shaper);

// RGBA8, rows top to bottom, straight alpha: the frames of an animated GIF.
std::vector<unsigned char> render_rgba(const Figure& figure, const TextShaper& shaper);

}  // namespace app
