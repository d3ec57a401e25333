// The parts every heatmap figure is made of — a title block, a matrix panel with token labels and
// axis titles, a color bar — shared by the explorer's figures, the model view and the training
// movie's frames, so a head looks the same in each.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "export/export.hpp"
#include "export/figure.hpp"
#include "export/text_shaper.hpp"

namespace app {

// A figure theme's colors: background, text, dimmed text, frames and axes.
struct FigureColors {
  Rgba background, text, dim, frame;
};
FigureColors figure_colors(Theme theme);  // from the theme table

namespace figure_kit {

inline Rgba rgba(Rgb8 c) { return {c.r, c.g, c.b, 255}; }

// Black or white, whichever reads on a cell of color c.
inline Rgba contrast_on(Rgb8 c) {
  const float luminance = 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b;
  return luminance > 140.0f ? Rgba{0, 0, 0, 255} : Rgba{255, 255, 255, 255};
}

// v with `decimals` decimals; "-0.00" becomes "0.00".
inline std::string fmt(float v, int decimals) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", decimals, static_cast<double>(v));
  std::string s = b;
  if (s.rfind("-0.", 0) == 0 && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

// `text` shortened with an ellipsis to fit `width` at `size`.
inline std::string fit(const TextShaper& shaper, const std::string& text, float size, float width) {
  if (shaper.measure(text, size) <= width) return text;
  const std::string ellipsis = "\xE2\x80\xA6";
  std::size_t cut = 0;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0u) == 0x80u) continue;
    if (shaper.measure(text.substr(0, i) + ellipsis, size) > width) break;
    cut = i;
  }
  return text.substr(0, cut) + ellipsis;
}

// One matrix drawn as cells with optional labels and axis titles, as a panel of the figure.
struct MatrixPanel {
  std::string title;
  const float* values;
  int rows, cols;
  const std::vector<std::string>* row_labels;  // null: none
  const std::vector<std::string>* col_labels;
  Colormap map;
  float low, high;
  int decimals;
  const char* row_axis = nullptr;  // "query": what the rows are, written beside them; null: none
  const char* col_axis = nullptr;  // "key": what the columns are, written above them
};

class Builder {
 public:
  Builder(const TextShaper& shaper, const FigureOptions& o)
      : m_shaper(shaper), m_s(static_cast<float>(o.scale)), m_opt(o), m_theme(figure_colors(o.theme)) {}
  // `scale` need not be whole: the movie's frames are laid out at 1.5 (a 1280 x 720 design at 1080p).
  Builder(const TextShaper& shaper, const FigureOptions& o, float scale)
      : m_shaper(shaper), m_s(scale), m_opt(o), m_theme(figure_colors(o.theme)) {}

  float s(float v) const { return v * m_s; }
  // From a panel's top to its column labels, in whole pixels so cells land on pixel edges.
  float panel_title_height() const { return std::round(s(13) * 1.6f); }
  float axis_size() const { return s(11); }

  void text(float x, float y, float size, Rgba c, std::string t, TextAlign a = TextAlign::Start,
            bool vertical = false) {
    m_fig.texts.push_back({x, y, size, c, std::move(t), a, vertical});
  }
  void rect(float x, float y, float w, float h, Rgba fill) { m_fig.rects.push_back({x, y, w, h, fill}); }
  void line(float x0, float y0, float x1, float y1, float width, Rgba c) {
    m_fig.lines.push_back({x0, y0, x1, y1, width, c});
  }

  // Title block at the top; returns its height.
  float title(const std::string& line1, const std::string& line2, float width) {
    const float size1 = s(17), size2 = s(12);
    m_fig.title = line1;
    text(s(16), s(16) + m_shaper.ascent(size1), size1, m_theme.text, fit(m_shaper, line1, size1, width - s(32)));
    text(s(16), s(16) + size1 * 1.3f + m_shaper.ascent(size2), size2, m_theme.dim,
         fit(m_shaper, line2, size2, width - s(32)));
    return std::round(s(16) + size1 * 1.3f + size2 * 1.5f + s(10));
  }

  struct Metrics {
    float cell_w, cell_h, label_size, row_label_w, col_label_h, width, height;
    float axis_w = 0.0f,
          axis_h = 0.0f;  // the axis titles' column (left) and line (top), inside row_label_w / col_label_h
  };

  // Sizes of a panel: labels get room for their longest (shortened) text, axis titles a line each.
  Metrics measure(const MatrixPanel& p, float cell_w, float cell_h) const {
    Metrics m{cell_w, cell_h, 0, 0, 0, 0, 0};
    m.label_size = std::clamp(std::min(cell_w, cell_h) * 0.72f, s(9), s(m_label_max));
    const float cap = s(110);
    if (p.row_labels)
      for (const auto& l : *p.row_labels)
        m.row_label_w = std::max(m.row_label_w, std::min(m_shaper.measure(l, m.label_size), cap));
    if (p.col_labels)
      for (const auto& l : *p.col_labels)
        m.col_label_h = std::max(m.col_label_h, std::min(m_shaper.measure(l, m.label_size), cap));
    if (p.row_labels) m.row_label_w = std::ceil(m.row_label_w + s(6));
    if (p.col_labels) m.col_label_h = std::ceil(m.col_label_h + s(6));
    if (p.row_axis) m.axis_w = std::ceil(axis_size() * 1.5f);
    if (p.col_axis) m.axis_h = std::ceil(axis_size() * 1.5f);
    m.row_label_w += m.axis_w;
    m.col_label_h += m.axis_h;
    m.width = m.row_label_w + cell_w * static_cast<float>(p.cols);
    m.height = panel_title_height() + m.col_label_h + cell_h * static_cast<float>(p.rows);
    return m;
  }

  // Draws the panel with its top-left at (x, y); its title may run `title_room` past the cells.
  void panel(const MatrixPanel& p, const Metrics& m, float x, float y, float title_room = 0.0f) {
    const float title_size = s(13);
    const float cells_w = m.cell_w * static_cast<float>(p.cols), cells_h = m.cell_h * static_cast<float>(p.rows);
    text(x + m.row_label_w, y + m_shaper.ascent(title_size), title_size, m_theme.text,
         fit(m_shaper, p.title, title_size, std::max(cells_w + title_room, s(60))));
    const float top = y + panel_title_height() + m.col_label_h, left = x + m.row_label_w;
    const float cap = s(110);
    for (int r = 0; r < p.rows; ++r)
      for (int c = 0; c < p.cols; ++c) {
        const float v =
            p.values[static_cast<std::size_t>(r) * static_cast<std::size_t>(p.cols) + static_cast<std::size_t>(c)];
        const Rgb8 col = colormap_color(p.map, normalize(v, p.low, p.high));
        m_fig.rects.push_back({left + m.cell_w * static_cast<float>(c), top + m.cell_h * static_cast<float>(r),
                               m.cell_w, m.cell_h, rgba(col)});
      }
    // Numbers in the cells when they fit comfortably.
    if (m_opt.show_values) {
      const float size = std::min(s(11), m.cell_h * 0.42f);
      const float need = m_shaper.measure("-0.00", size) + s(4);
      if (size >= s(8) && m.cell_w >= need)
        for (int r = 0; r < p.rows; ++r)
          for (int c = 0; c < p.cols; ++c) {
            const float v =
                p.values[static_cast<std::size_t>(r) * static_cast<std::size_t>(p.cols) + static_cast<std::size_t>(c)];
            const Rgb8 col = colormap_color(p.map, normalize(v, p.low, p.high));
            const float cx = left + m.cell_w * (static_cast<float>(c) + 0.5f);
            const float cy = top + m.cell_h * (static_cast<float>(r) + 0.5f) +
                             (m_shaper.ascent(size) - m_shaper.descent(size)) * 0.5f;
            text(cx, cy, size, contrast_on(col), fmt(v, p.decimals), TextAlign::Middle);
          }
    }
    const float ls = m.label_size, mid = (m_shaper.ascent(ls) - m_shaper.descent(ls)) * 0.5f;
    if (p.row_labels)
      for (int r = 0; r < p.rows; ++r)
        text(left - s(5), top + m.cell_h * (static_cast<float>(r) + 0.5f) + mid, ls, m_theme.text,
             fit(m_shaper, (*p.row_labels)[static_cast<std::size_t>(r)], ls, cap), TextAlign::End);
    if (p.col_labels)
      for (int c = 0; c < p.cols; ++c)
        text(left + m.cell_w * (static_cast<float>(c) + 0.5f) + mid, top - s(5), ls, m_theme.text,
             fit(m_shaper, (*p.col_labels)[static_cast<std::size_t>(c)], ls, cap), TextAlign::Start, true);
    // Axis titles in the dimmed color: the rows (queries) read downwards on the left, the
    // columns (keys) across the top, each centred on the cells it names.
    const float as = axis_size();
    if (p.row_axis)
      text(x + m_shaper.ascent(as) + s(1), top + cells_h * 0.5f, as, m_theme.dim,
           fit(m_shaper, p.row_axis, as, std::max(cells_h, s(20))), TextAlign::Middle, true);
    if (p.col_axis)
      text(left + cells_w * 0.5f, top - m.col_label_h + m_shaper.ascent(as) + s(1), as, m_theme.dim,
           fit(m_shaper, p.col_axis, as, std::max(cells_w, s(20))), TextAlign::Middle);
  }

  // A vertical color bar with ticks; returns its width including labels.
  float color_bar(float x, float y, float height, Colormap map, float low, float high, int ticks, const char* caption) {
    const float bar_w = s(14), size = s(10.5f);
    if (caption) text(x, y - s(11), size, m_theme.dim, caption);  // clear of the top tick's number
    // One step per pixel row: a smooth ramp with no banding between steps.
    const int steps = std::max(2, static_cast<int>(std::round(height)));
    for (int i = 0; i < steps; ++i) {
      const float t = 1.0f - (static_cast<float>(i) + 0.5f) / static_cast<float>(steps);
      m_fig.rects.push_back({x, y + height * static_cast<float>(i) / static_cast<float>(steps), bar_w,
                             height / static_cast<float>(steps), rgba(colormap_color(map, t))});
    }
    m_fig.lines.push_back({x, y, x + bar_w, y, s(1), m_theme.frame});
    m_fig.lines.push_back({x, y + height, x + bar_w, y + height, s(1), m_theme.frame});
    float widest = 0.0f;
    const int decimals = std::fabs(high - low) < 0.1f ? 3 : 2;
    for (int i = 0; i < ticks; ++i) {
      const float t = static_cast<float>(i) / static_cast<float>(ticks - 1);
      const float ty = y + height * (1.0f - t);
      m_fig.lines.push_back({x + bar_w, ty, x + bar_w + s(4), ty, s(1), m_theme.text});
      const std::string label = fmt(low + (high - low) * t, decimals);
      text(x + bar_w + s(6), ty + (m_shaper.ascent(size) - m_shaper.descent(size)) * 0.5f, size, m_theme.text, label);
      widest = std::max(widest, m_shaper.measure(label, size));
    }
    const float caption_w = caption ? m_shaper.measure(caption, size) : 0.0f;
    return std::max(bar_w + s(6) + widest, caption_w) + s(4);
  }

  // The document title of SVG and PDF files, for figures that draw their own title block.
  void set_title(std::string title) { m_fig.title = std::move(title); }

  Figure finish(float width, float height) {
    m_fig.width = static_cast<int>(std::ceil(width));
    m_fig.height = static_cast<int>(std::ceil(height));
    if (!m_opt.transparent) m_fig.background = m_theme.background;
    return std::move(m_fig);
  }

  // Token labels up to `px` (unscaled) when the cells are large enough: the movie's frames are
  // read from the back of a room.
  void set_label_max(float px) { m_label_max = px; }
  const FigureColors& theme() const { return m_theme; }
  const TextShaper& shaper() const { return m_shaper; }

 private:
  const TextShaper& m_shaper;
  float m_s;
  FigureOptions m_opt;
  FigureColors m_theme;
  float m_label_max = 13.0f;
  Figure m_fig;
};

}  // namespace figure_kit
}  // namespace app
