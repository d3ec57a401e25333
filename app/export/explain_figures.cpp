// The lines view and the step-through as display lists.
#include "export/explain_figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/head_colors.hpp"
#include "core/tensor_catalog.hpp"
#include "core/value_format.hpp"
#include "core/value_range.hpp"
#include "engine/text/token_text.hpp"
#include "export/figure_layout.hpp"

namespace app {

namespace {

// The title block of these figures; returns the y below it. The figure widens to fit both lines
// (up to a page width; past that the figure is clipped rather than the text squeezed).
float title_block(Figure& f, const TextShaper& shaper, const FigureColors& c, float s, const std::string& line1,
                  const std::string& line2) {
  const float size1 = 17.0f * s, size2 = 12.0f * s;
  const float need = std::max(shaper.measure(line1, size1), shaper.measure(line2, size2)) + 32.0f * s;
  f.width = std::max(f.width, static_cast<int>(std::ceil(std::min(need, 1800.0f * s))));
  f.title = line1;
  f.texts.push_back({16.0f * s, 16.0f * s + shaper.ascent(size1), size1, c.text, line1});
  f.texts.push_back({16.0f * s, 16.0f * s + size1 * 1.3f + shaper.ascent(size2), size2, c.dim, line2});
  return std::round(16.0f * s + size1 * 1.3f + size2 * 1.5f + 14.0f * s);
}

}  // namespace

Figure layout_lines_figure(const attn::LayerView& t, const ModelInput& input, int head, const FigureOptions& options,
                           const TextShaper& shaper) {
  const int H = t.config.n_heads;
  const std::size_t n = t.n_tokens();
  if (n == 0) throw std::invalid_argument("there is nothing to draw: the sentence has no tokens");
  if (head >= H)
    throw std::invalid_argument("head " + std::to_string(head + 1) + " does not exist (this model has " +
                                std::to_string(H) + (H == 1 ? " head)" : " heads)"));
  const FigureColors c = figure_colors(options.theme);
  const float s = static_cast<float>(options.scale);
  const float size = 12.0f * s, row = std::round(size * 1.45f);
  float label_w = 0.0f;
  for (const attn::Token& tok : t.tokens())
    label_w = std::max(label_w, std::min(shaper.measure(attn::token_text(tok.text), size), 110.0f * s));
  label_w = std::ceil(label_w + 6.0f * s);
  const float gap = 110.0f * s, panel_w = label_w * 2.0f + gap, panel_gap = 26.0f * s;
  const int first = head < 0 ? 0 : head, last = head < 0 ? H - 1 : head;
  const int panels = last - first + 1;
  Figure f;
  f.width = static_cast<int>(
      std::ceil(32.0f * s + panel_w * static_cast<float>(panels) + panel_gap * static_cast<float>(panels - 1)));
  if (!options.transparent) f.background = c.background;
  const std::string what =
      head < 0 ? "Attention as lines, all heads" : "Attention as lines, head " + std::to_string(head + 1);
  const float top =
      title_block(f, shaper, c, s, what + " \xC2\xB7 \xE2\x80\x9C" + input.text + "\xE2\x80\x9D",
                  "queries on the left, keys on the right; a line's width and opacity are its weight \xC2\xB7 " +
                      (options.caption.empty() ? config_caption(t, input) : options.caption));
  for (int h = first; h <= last; ++h) {
    const float x0 = 16.0f * s + static_cast<float>(h - first) * (panel_w + panel_gap);
    const Rgb8 hc = head_color(0, h, H);
    f.texts.push_back(
        {x0, top + shaper.ascent(size), size * 1.1f, {hc.r, hc.g, hc.b, 255}, "Head " + std::to_string(h + 1)});
    const float y0 = top + row * 1.6f;
    for (std::size_t i = 0; i < n; ++i) {
      const float y = y0 + row * static_cast<float>(i);
      f.texts.push_back({x0 + label_w - 6.0f * s, y + shaper.ascent(size) * 0.5f, size, c.text,
                         attn::token_text(t.tokens()[i].text), TextAlign::End});
      f.texts.push_back({x0 + label_w + gap + 6.0f * s, y + shaper.ascent(size) * 0.5f, size, c.text,
                         attn::token_text(t.tokens()[i].text)});
    }
    const float* w = t.attn(static_cast<std::size_t>(h));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const float weight = w[i * n + j];
        if (weight < 0.02f) continue;  // below what a person can see; the figure stays light
        const auto alpha = static_cast<std::uint8_t>(std::lround(40.0f + 215.0f * std::min(weight, 1.0f)));
        f.lines.push_back({x0 + label_w,
                           y0 + row * static_cast<float>(i),
                           x0 + label_w + gap,
                           y0 + row * static_cast<float>(j) + 0.01f,
                           (0.6f + 3.4f * weight) * s,
                           {hc.r, hc.g, hc.b, alpha}});
      }
  }
  f.height = static_cast<int>(std::ceil(top + row * (static_cast<float>(n) + 1.6f) + 16.0f * s));
  return f;
}

Figure layout_step_figure(const attn::LayerView& t, const ModelInput& input, int head, int query,
                          const attn::OutProjection& projection, const FigureOptions& options,
                          const TextShaper& shaper) {
  const attn::QueryExplanation e = attn::explain_query(t, head, query, {}, projection);
  const FigureColors c = figure_colors(options.theme);
  const float s = static_cast<float>(options.scale);
  const float size = 12.0f * s, line = std::round(size * 1.5f), indent = 24.0f * s;
  const std::size_t n = static_cast<std::size_t>(e.n_keys), D = static_cast<std::size_t>(e.d_head);
  float label_w = 0.0f;
  for (const attn::Token& tok : t.tokens())
    label_w = std::max(label_w, std::min(shaper.measure(attn::token_text(tok.text), size), 110.0f * s));
  label_w = std::ceil(label_w + 8.0f * s);
  const float bar_w = 360.0f * s, value_w = 80.0f * s;
  Figure f;
  f.width = static_cast<int>(std::ceil(std::max(760.0f * s, 16.0f * s * 2.0f + indent + label_w + bar_w + value_w)));
  if (!options.transparent) f.background = c.background;
  const std::string q = attn::token_text(t.tokens()[static_cast<std::size_t>(query)].text);
  float y = title_block(f, shaper, c, s,
                        "One query, step by step: head " + std::to_string(head + 1) + ", \xE2\x80\x9C" + q +
                            "\xE2\x80\x9D in \xE2\x80\x9C" + input.text + "\xE2\x80\x9D",
                        options.caption.empty() ? config_caption(t, input) : options.caption);
  const float x = 16.0f * s;
  const auto heading = [&](const std::string& text) {
    y += line * 0.4f;
    f.texts.push_back({x, y + shaper.ascent(size), size * 1.05f, c.text, text});
    y += line;
  };
  const auto para = [&](const std::string& text, bool dim = false) {
    f.texts.push_back({x + indent, y + shaper.ascent(size), size, dim ? c.dim : c.text, text});
    y += line;
  };
  const ValueRange head_colors = head_range(TensorId::Attn, t, static_cast<std::size_t>(head));
  const auto bars = [&](const std::vector<float>& values, bool weights) {
    // The bars' extent covers 0 and every visible finite value. A weight's bar has the color of
    // its cell in the head's heatmap figure: the head's value_range(), or 0..1 for every head.
    std::vector<float> visible;
    for (std::size_t j = 0; j < n; ++j)
      if (!e.masked[j]) visible.push_back(values[j]);
    const ValueRange extent = value_range(visible.data(), visible.size(), RangePolicy::MinMax);
    const float lo = weights ? 0.0f : std::min(0.0f, extent.low), hi = std::max(0.0f, extent.high);
    const ValueRange colors = options.per_head_range ? head_colors : ValueRange{0.0f, 1.0f};
    const float span = std::max(hi - lo, 1e-12f);
    for (std::size_t j = 0; j < n; ++j) {
      const std::string label = attn::token_text(t.tokens()[j].text);
      f.texts.push_back({x + indent + label_w - 6.0f * s, y + shaper.ascent(size), size, e.masked[j] ? c.dim : c.text,
                         label, TextAlign::End});
      const float x0 = x + indent + label_w, zero = x0 + bar_w * (0.0f - lo) / span,
                  end = x0 + bar_w * (values[j] - lo) / span;
      if (!e.masked[j] && std::isfinite(values[j])) {
        Rgba fill{90, 120, 200, 255};
        if (weights) {
          const Rgb8 cc = colormap_color(options.colormap, normalize(values[j], colors.low, colors.high));
          fill = {cc.r, cc.g, cc.b, 255};
        }
        f.rects.push_back(
            {std::min(zero, end), y + line * 0.15f, std::max(std::fabs(end - zero), 1.0f * s), line * 0.7f, fill});
      }
      f.texts.push_back({x0 + bar_w + 8.0f * s, y + shaper.ascent(size), size, e.masked[j] ? c.dim : c.text,
                         e.masked[j] ? "masked" : format_short(values[j])});
      y += line;
    }
  };
  heading("1. The query token's input vector x");
  para("x = " + format_vector(e.x.data(), e.x.size()));
  heading("2. q = x W_q + b_q for this head, and every key's k and value's v");
  para("q = " + format_vector(e.q.data(), D));
  for (std::size_t j = 0; j < n; ++j)
    para("k[" + attn::token_text(t.tokens()[j].text) + "] = " + format_vector(e.k.data() + j * D, D), true);
  heading("3. One dot product per key: q \xC2\xB7 k_j");
  bars(e.dots, false);
  heading("4. Divided by sqrt(d_head) \xC3\x97 temperature = " + format_short(e.divisor));
  bars(e.scaled, false);
  heading("5. The mask: keys after the query are out (weight exactly 0)");
  para(t.config.causal ? "causal: each query sees itself and the keys before it" : "no mask: every key is visible",
       true);
  heading("6. Softmax: row maximum " + format_short(e.row_max) + ", exp(score - max), sum " + format_short(e.sum) +
          ", divided by the sum");
  bars(e.weights, true);
  heading("7. Each weight times its value vector, and their sum: the head's output");
  for (std::size_t j = 0; j < n; ++j)
    if (!e.masked[j])
      para(format_short(e.weights[j]) + " \xC3\x97 v[" + attn::token_text(t.tokens()[j].text) +
               "] = " + format_vector(e.weighted.data() + j * D, D),
           true);
  para("head output = " + format_vector(e.head_out.data(), D));
  heading("8. All heads side by side (concat), times W_O plus bias");
  para("concat = " + format_vector(e.concat.data(), e.concat.size()));
  if (!e.out.empty()) para("out = " + format_vector(e.out.data(), e.out.size()));
  f.height = static_cast<int>(std::ceil(y + 16.0f * s));
  return f;
}

}  // namespace app
