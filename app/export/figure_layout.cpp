// Layout in three steps: measure the labels, size the cells, then place panels left to right.
// Every size is multiplied by the figure scale, so 4x is the same figure at four times the pixels.
#include "export/figure_layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/text/token_text.hpp"

namespace app {

namespace {

using Theme = FigureColors;
Theme theme_of(FigureTheme t) { return figure_colors(t); }

Rgba rgba(Rgb8 c) { return {c.r, c.g, c.b, 255}; }

Rgba contrast_on(Rgb8 c) {
  const float luminance = 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b;
  return luminance > 140.0f ? Rgba{0, 0, 0, 255} : Rgba{255, 255, 255, 255};
}

std::string fmt(float v, int decimals) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", decimals, static_cast<double>(v));
  std::string s = b;
  if (s.rfind("-0.", 0) == 0 && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

// `text` shortened with an ellipsis to fit `width` at `size`.
std::string fit(const TextShaper& shaper, const std::string& text, float size, float width) {
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

// One matrix drawn as cells with optional labels, as a panel of the figure.
struct MatrixPanel {
  std::string title;
  const float* values;
  int rows, cols;
  const std::vector<std::string>* row_labels;  // null: none
  const std::vector<std::string>* col_labels;
  Colormap map;
  float low, high;
  int decimals;
};

class Builder {
 public:
  Builder(const TextShaper& shaper, const FigureOptions& o) : m_shaper(shaper), m_s(static_cast<float>(o.scale)), m_opt(o), m_theme(theme_of(o.theme)) {}

  float s(float v) const { return v * m_s; }
  // From a panel's top to its column labels, in whole pixels so cells land on pixel edges.
  float panel_title_height() const { return std::round(s(13) * 1.6f); }

  void text(float x, float y, float size, Rgba c, std::string t, TextAlign a = TextAlign::Start, bool vertical = false) {
    m_fig.texts.push_back({x, y, size, c, std::move(t), a, vertical});
  }

  // Title block at the top; returns its height.
  float title(const std::string& line1, const std::string& line2, float width) {
    const float size1 = s(17), size2 = s(12);
    m_fig.title = line1;
    text(s(16), s(16) + m_shaper.ascent(size1), size1, m_theme.text, fit(m_shaper, line1, size1, width - s(32)));
    text(s(16), s(16) + size1 * 1.3f + m_shaper.ascent(size2), size2, m_theme.dim, fit(m_shaper, line2, size2, width - s(32)));
    return std::round(s(16) + size1 * 1.3f + size2 * 1.5f + s(10));
  }

  struct Metrics {
    float cell_w, cell_h, label_size, row_label_w, col_label_h, width, height;
  };

  // Sizes of a panel: labels get room for their longest (shortened) text.
  Metrics measure(const MatrixPanel& p, float cell_w, float cell_h) const {
    Metrics m{cell_w, cell_h, 0, 0, 0, 0, 0};
    m.label_size = std::clamp(std::min(cell_w, cell_h) * 0.72f, s(9), s(13));
    const float cap = s(110);
    if (p.row_labels)
      for (const auto& l : *p.row_labels) m.row_label_w = std::max(m.row_label_w, std::min(m_shaper.measure(l, m.label_size), cap));
    if (p.col_labels)
      for (const auto& l : *p.col_labels) m.col_label_h = std::max(m.col_label_h, std::min(m_shaper.measure(l, m.label_size), cap));
    if (p.row_labels) m.row_label_w = std::ceil(m.row_label_w + s(6));
    if (p.col_labels) m.col_label_h = std::ceil(m.col_label_h + s(6));
    const float title_h = panel_title_height();
    m.width = m.row_label_w + cell_w * static_cast<float>(p.cols);
    m.height = title_h + m.col_label_h + cell_h * static_cast<float>(p.rows);
    return m;
  }

  // Draws the panel with its top-left at (x, y).
  void panel(const MatrixPanel& p, const Metrics& m, float x, float y) {
    const float title_size = s(13);
    text(x + m.row_label_w, y + m_shaper.ascent(title_size), title_size, m_theme.text, p.title);
    const float top = y + panel_title_height() + m.col_label_h, left = x + m.row_label_w;
    const float cap = s(110);
    for (int r = 0; r < p.rows; ++r)
      for (int c = 0; c < p.cols; ++c) {
        const float v = p.values[static_cast<std::size_t>(r) * static_cast<std::size_t>(p.cols) + static_cast<std::size_t>(c)];
        const Rgb8 col = colormap_color(p.map, normalize(v, p.low, p.high));
        m_fig.rects.push_back({left + m.cell_w * static_cast<float>(c), top + m.cell_h * static_cast<float>(r), m.cell_w, m.cell_h, rgba(col)});
      }
    // Numbers in the cells when they fit comfortably.
    if (m_opt.show_values) {
      const float size = std::min(s(11), m.cell_h * 0.42f);
      const float need = m_shaper.measure("-0.00", size) + s(4);
      if (size >= s(8) && m.cell_w >= need)
        for (int r = 0; r < p.rows; ++r)
          for (int c = 0; c < p.cols; ++c) {
            const float v = p.values[static_cast<std::size_t>(r) * static_cast<std::size_t>(p.cols) + static_cast<std::size_t>(c)];
            const Rgb8 col = colormap_color(p.map, normalize(v, p.low, p.high));
            const float cx = left + m.cell_w * (static_cast<float>(c) + 0.5f);
            const float cy = top + m.cell_h * (static_cast<float>(r) + 0.5f) + (m_shaper.ascent(size) - m_shaper.descent(size)) * 0.5f;
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
  }

  // A vertical colour bar with ticks; returns its width including labels.
  float colour_bar(float x, float y, float height, Colormap map, float low, float high, int ticks, const char* caption) {
    const float bar_w = s(14), size = s(10.5f);
    if (caption) text(x, y - s(6), size, m_theme.dim, caption);
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

  Figure finish(float width, float height) {
    m_fig.width = static_cast<int>(std::ceil(width));
    m_fig.height = static_cast<int>(std::ceil(height));
    if (!m_opt.transparent) m_fig.background = m_theme.background;
    return std::move(m_fig);
  }

  const Theme& theme() const { return m_theme; }
  const TextShaper& shaper() const { return m_shaper; }

 private:
  const TextShaper& m_shaper;
  float m_s;
  FigureOptions m_opt;
  Theme m_theme;
  Figure m_fig;
};

std::pair<float, float> head_range(const attn::Trace& t, int head, bool per_head) {
  if (!per_head) return {0.0f, 1.0f};
  const std::size_t n = t.n_tokens();
  const float* w = t.attn.data() + static_cast<std::size_t>(head) * n * n;
  const auto [lo, hi] = std::minmax_element(w, w + n * n);
  return {*lo, *hi > *lo ? *hi : *lo + 1e-6f};
}

float symmetric_max(const float* v, std::size_t count) {
  float m = 0.0f;
  for (std::size_t i = 0; i < count; ++i)
    if (std::isfinite(v[i])) m = std::max(m, std::fabs(v[i]));
  return m > 0.0f ? m : 1.0f;
}

}  // namespace

FigureColors figure_colors(FigureTheme t) {
  if (t == FigureTheme::Dark) return {{22, 22, 28, 255}, {238, 238, 238, 255}, {170, 170, 180, 255}, {90, 90, 100, 255}};
  return {{255, 255, 255, 255}, {17, 17, 17, 255}, {85, 85, 85, 255}, {150, 150, 150, 255}};
}

std::string config_caption(const attn::Trace& t, const ModelInput& input) {
  const attn::ModelConfig& c = t.config;
  char temperature[32];
  std::snprintf(temperature, sizeof temperature, "%g", static_cast<double>(c.temperature));
  std::string s = "d_model " + std::to_string(c.d_model) + " \xC2\xB7 " + std::to_string(c.n_heads) +
                  (c.n_heads == 1 ? " head" : " heads") + " \xC2\xB7 d_head " + std::to_string(c.resolved_d_head()) +
                  " \xC2\xB7 " + std::string(attn::to_string(c.positional)) + " positions \xC2\xB7 " +
                  (c.causal ? "causal" : "bidirectional") + " \xC2\xB7 T " + temperature + " \xC2\xB7 seed " +
                  std::to_string(c.seed) + " \xC2\xB7 " + std::string(attn::to_string(input.tokenizer)) + " tokens";
  if (!input.weights_path.empty()) s += " \xC2\xB7 weights " + input.weights_path;
  return s;
}

Figure layout_figure(const attn::Trace& trace, const ModelInput& input, ExportKind kind, int head,
                     const FigureOptions& options, const TextShaper& shaper) {
  const int heads = trace.config.n_heads;
  const std::size_t n = trace.n_tokens();
  if (n == 0) throw std::invalid_argument("there is nothing to draw: the sentence has no tokens");
  if (kind != ExportKind::Grid && (head < 0 || head >= heads))
    throw std::invalid_argument("head " + std::to_string(head + 1) + " does not exist (this model has " +
                                std::to_string(heads) + (heads == 1 ? " head)" : " heads)"));
  Builder b(shaper, options);
  std::vector<std::string> tokens;
  for (const attn::Token& t : trace.tokens()) tokens.push_back(attn::token_text(t.text));
  const std::string sentence = "\xE2\x80\x9C" + input.text + "\xE2\x80\x9D";
  const std::string caption = options.caption.empty() ? config_caption(trace, input) : options.caption;
  const float margin = b.s(16), gap = b.s(22);
  const float nf = static_cast<float>(n);

  if (kind == ExportKind::Qkv) {
    const std::size_t d = static_cast<std::size_t>(trace.config.resolved_d_head());
    std::vector<std::string> dims;
    for (std::size_t i = 0; i < d; ++i) dims.push_back(std::to_string(i + 1));
    const float cell = std::floor(std::clamp(std::min(b.s(260) / static_cast<float>(d), b.s(480) / nf), b.s(10), b.s(30)));
    const std::size_t off = static_cast<std::size_t>(head) * n * d;
    struct Part { const char* title; const float* v; };
    const Part parts[] = {{"Q (queries)", trace.q.data() + off}, {"K (keys)", trace.k.data() + off},
                          {"V (values)", trace.v.data() + off}, {"Output = attention \xC2\xB7 V", trace.head_out.data() + off}};
    // Measure first so the title knows the full width.
    std::vector<MatrixPanel> panels;
    std::vector<Builder::Metrics> metrics;
    for (int i = 0; i < 4; ++i) {
      const float m = symmetric_max(parts[i].v, n * d);
      panels.push_back({parts[i].title, parts[i].v, static_cast<int>(n), static_cast<int>(d), i == 0 ? &tokens : nullptr,
                        cell >= b.s(10) ? &dims : nullptr, Colormap::Diverging, -m, m, 2});
      metrics.push_back(b.measure(panels.back(), cell, cell));
    }
    float width = margin;
    for (const auto& m : metrics) width += m.width + b.s(70) + gap;
    const float title_h = b.title("Head " + std::to_string(head + 1) + " Q, K, V and output \xC2\xB7 " + sentence, caption, std::max(width, b.s(700)));
    float x = std::round(margin), bottom = 0.0f;
    for (int i = 0; i < 4; ++i) {
      const Builder::Metrics& m = metrics[static_cast<std::size_t>(i)];
      b.panel(panels[static_cast<std::size_t>(i)], m, x, title_h);
      const float map_top = title_h + b.panel_title_height() + m.col_label_h;
      const float bar = b.colour_bar(x + m.width + b.s(8), map_top, cell * nf, Colormap::Diverging, panels[static_cast<std::size_t>(i)].low,
                                     panels[static_cast<std::size_t>(i)].high, 3, nullptr);
      x = std::round(x + m.width + b.s(8) + bar + gap);
      bottom = std::max(bottom, title_h + m.height);
    }
    return b.finish(std::max(x, b.s(700)), bottom + margin);
  }

  const bool grid = kind == ExportKind::Grid;
  const int first = grid ? 0 : head, count = grid ? heads : 1;
  const int cols = grid ? static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count)))) : 1;
  const int rows = (count + cols - 1) / cols;
  // Cells: large for one head, smaller in a grid, never below what labels need to stay legible.
  // Whole pixels, so neighbouring cells meet without antialiased seams.
  const float cell = std::floor(grid ? std::clamp(b.s(340) / nf, b.s(11), b.s(44)) : std::clamp(b.s(620) / nf, b.s(12), b.s(56)));
  std::vector<MatrixPanel> panels;
  for (int h = first; h < first + count; ++h) {
    const auto [lo, hi] = head_range(trace, h, options.per_head_range);
    char title[64];
    if (options.per_head_range) std::snprintf(title, sizeof title, "Head %d  (%.2f\xE2\x80\x93%.2f)", h + 1, static_cast<double>(lo), static_cast<double>(hi));
    else std::snprintf(title, sizeof title, "Head %d", h + 1);
    panels.push_back({title, trace.attn.data() + static_cast<std::size_t>(h) * n * n, static_cast<int>(n), static_cast<int>(n),
                      &tokens, &tokens, options.colormap, lo, hi, 2});
  }
  const Builder::Metrics m = b.measure(panels[0], cell, cell);
  // With per-head ranges each panel carries its own small colour bar.
  const float own_bar = options.per_head_range ? b.s(14) + b.s(6) + shaper.measure("0.000", b.s(10.5f)) + b.s(14) : 0.0f;
  const float panel_w = m.width + own_bar;
  const float shared_bar = options.per_head_range ? 0.0f : b.s(90);
  const float grid_w = margin + static_cast<float>(cols) * (panel_w + gap) + shared_bar;
  const std::string what = grid ? "Attention weights, all heads" : "Attention weights, head " + std::to_string(head + 1);
  const float title_h = b.title(what + " \xC2\xB7 " + sentence, caption, std::max(grid_w, b.s(520)));
  const float map_offset = b.panel_title_height() + m.col_label_h;  // panel top -> first cell row
  for (int i = 0; i < count; ++i) {
    const float x = std::round(margin + static_cast<float>(i % cols) * (panel_w + gap));
    const float y = std::round(title_h + static_cast<float>(i / cols) * (m.height + gap));
    b.panel(panels[static_cast<std::size_t>(i)], m, x, y);
    if (options.per_head_range)
      b.colour_bar(x + m.width + b.s(8), y + map_offset, cell * nf, options.colormap, panels[static_cast<std::size_t>(i)].low,
                   panels[static_cast<std::size_t>(i)].high, grid ? 3 : 5, nullptr);
  }
  float width = grid_w;
  if (!options.per_head_range) {
    const float bar_x = margin + static_cast<float>(cols) * (panel_w + gap);
    width = bar_x + b.colour_bar(bar_x, title_h + map_offset, cell * nf, options.colormap, 0.0f, 1.0f, 5, "weight") + margin;
  }
  const float height = title_h + static_cast<float>(rows) * (m.height + gap) - gap + margin;
  return b.finish(std::max(width, b.s(520)), height);
}

}  // namespace app
