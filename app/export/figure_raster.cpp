// A small CPU rasteriser: axis-aligned rects, lines (axis-aligned as thin rects, others by their
// distance to each pixel centre), and antialiased glyphs
// composited with the "over" operator so transparent backgrounds stay correct.
#include <algorithm>
#include <cmath>

#include "export/figure_render.hpp"

namespace app {

namespace {

class Canvas {
 public:
  Canvas(int w, int h) : m_w(w), m_h(h), m_px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4, 0) {}

  // Source colour with coverage 0..1 over the destination pixel.
  void blend(int x, int y, Rgba c, float coverage) {
    if (x < 0 || y < 0 || x >= m_w || y >= m_h || coverage <= 0.0f) return;
    unsigned char* d = &m_px[(static_cast<std::size_t>(y) * static_cast<std::size_t>(m_w) + static_cast<std::size_t>(x)) * 4];
    const float sa = std::min(coverage, 1.0f) * static_cast<float>(c.a) / 255.0f;
    const float da = static_cast<float>(d[3]) / 255.0f;
    const float oa = sa + da * (1.0f - sa);
    if (oa <= 0.0f) return;
    const auto mix = [&](unsigned char s, unsigned char dst) {
      const float v = (static_cast<float>(s) * sa + static_cast<float>(dst) * da * (1.0f - sa)) / oa;
      return static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 255.0f)));
    };
    d[0] = mix(c.r, d[0]);
    d[1] = mix(c.g, d[1]);
    d[2] = mix(c.b, d[2]);
    d[3] = static_cast<unsigned char>(std::lround(oa * 255.0f));
  }

  // A segment of half-width `half`: each pixel's coverage falls off over one pixel at the edge.
  void draw_segment(float x0, float y0, float x1, float y1, float half, Rgba c) {
    const float dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    const int px0 = static_cast<int>(std::floor(std::min(x0, x1) - half - 1.0f));
    const int px1 = static_cast<int>(std::ceil(std::max(x0, x1) + half + 1.0f));
    const int py0 = static_cast<int>(std::floor(std::min(y0, y1) - half - 1.0f));
    const int py1 = static_cast<int>(std::ceil(std::max(y0, y1) + half + 1.0f));
    for (int py = std::max(py0, 0); py < std::min(py1, m_h); ++py)
      for (int px = std::max(px0, 0); px < std::min(px1, m_w); ++px) {
        const float cx = static_cast<float>(px) + 0.5f, cy = static_cast<float>(py) + 0.5f;
        const float t = len2 > 0.0f ? std::clamp(((cx - x0) * dx + (cy - y0) * dy) / len2, 0.0f, 1.0f) : 0.0f;
        const float ex = cx - (x0 + t * dx), ey = cy - (y0 + t * dy);
        blend(px, py, c, std::clamp(half + 0.5f - std::sqrt(ex * ex + ey * ey), 0.0f, 1.0f));
      }
  }

  // Pixel (x, y) covers [x, x+1) x [y, y+1); partial coverage at the edges antialiases.
  void fill_rect(float x, float y, float w, float h, Rgba c) {
    const int x0 = static_cast<int>(std::floor(x)), x1 = static_cast<int>(std::ceil(x + w));
    const int y0 = static_cast<int>(std::floor(y)), y1 = static_cast<int>(std::ceil(y + h));
    for (int py = std::max(y0, 0); py < std::min(y1, m_h); ++py) {
      const float cy = std::min(static_cast<float>(py + 1), y + h) - std::max(static_cast<float>(py), y);
      for (int px = std::max(x0, 0); px < std::min(x1, m_w); ++px) {
        const float cx = std::min(static_cast<float>(px + 1), x + w) - std::max(static_cast<float>(px), x);
        blend(px, py, c, cx * cy);
      }
    }
  }

  std::vector<unsigned char> take() { return std::move(m_px); }

 private:
  int m_w, m_h;
  std::vector<unsigned char> m_px;
};

void draw_text(Canvas& canvas, const FigureText& t, const FontSet& fonts) {
  const float width = fonts.measure(t.text, t.size);
  const float shift = t.align == TextAlign::Start ? 0.0f : t.align == TextAlign::Middle ? width * 0.5f : width;
  const int ox = static_cast<int>(std::lround(t.x)), oy = static_cast<int>(std::lround(t.y));
  const int start = static_cast<int>(std::lround(-shift));
  fonts.for_each_glyph(t.text, t.size, [&](const GlyphBitmap& g, float pen) {
    const int gx = start + static_cast<int>(std::lround(pen)) + g.x_offset;
    for (int row = 0; row < g.height; ++row)
      for (int col = 0; col < g.width; ++col) {
        const unsigned char a = g.coverage[static_cast<std::size_t>(row * g.width + col)];
        if (!a) continue;
        // Glyph space: u along the run, v down from the baseline.
        const int u = gx + col, v = g.y_offset + row;
        if (t.vertical) canvas.blend(ox + v, oy - u, t.color, static_cast<float>(a) / 255.0f);
        else canvas.blend(ox + u, oy + v, t.color, static_cast<float>(a) / 255.0f);
      }
  });
}

}  // namespace

std::vector<unsigned char> rasterize(const Figure& figure, const FontSet& fonts) {
  Canvas canvas(figure.width, figure.height);
  if (figure.background) canvas.fill_rect(0, 0, static_cast<float>(figure.width), static_cast<float>(figure.height), *figure.background);
  for (const FigureRect& r : figure.rects) canvas.fill_rect(r.x, r.y, r.w, r.h, r.fill);
  for (const FigureLine& l : figure.lines) {
    const float half = l.width * 0.5f;
    if (l.x0 != l.x1 && l.y0 != l.y1) {  // a slanted segment (curves): coverage from the distance
      canvas.draw_segment(l.x0, l.y0, l.x1, l.y1, half, l.color);
      continue;
    }
    canvas.fill_rect(std::min(l.x0, l.x1) - (l.x0 == l.x1 ? half : 0.0f), std::min(l.y0, l.y1) - (l.y0 == l.y1 ? half : 0.0f),
                     l.x0 == l.x1 ? l.width : std::fabs(l.x1 - l.x0), l.y0 == l.y1 ? l.width : std::fabs(l.y1 - l.y0), l.color);
  }
  for (const FigureText& t : figure.texts) draw_text(canvas, t, fonts);
  return canvas.take();
}

}  // namespace app
