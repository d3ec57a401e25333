// Layout in three steps: measure the labels, size the cells, then place panels left to right.
// Every size is multiplied by the figure scale, so 4x is the same figure at four times the pixels.
#include "export/figure_layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/tensor_catalog.hpp"
#include "core/value_range.hpp"

#include "engine/text/token_text.hpp"

namespace app {

namespace {

using namespace figure_kit;

// A head's attention color range: the catalog's, as the window's, or one 0..1 scale for every head.
ValueRange attention_range(const attn::LayerView& t, int head, bool per_head) {
  if (!per_head) return {0.0f, 1.0f};
  return head_range(TensorId::Attn, t, static_cast<std::size_t>(head));
}

}  // namespace

FigureColors figure_colors(Theme theme) {
  const ThemeInfo& t = theme_info(theme);
  return {rgba(t.background), rgba(t.text), rgba(t.dim), rgba(t.frame)};
}

std::string config_caption(const attn::LayerView& t, const ModelInput& input) {
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

Figure layout_figure(const attn::LayerView& layer_view, const ModelInput& input, ExportKind kind, int head,
                     const FigureOptions& options, const TextShaper& shaper) {
  const int heads = layer_view.config.n_heads;
  const std::size_t n = layer_view.n_tokens();
  if (n == 0) throw std::invalid_argument("there is nothing to draw: the sentence has no tokens");
  if (kind != ExportKind::Grid && (head < 0 || head >= heads))
    throw std::invalid_argument("head " + std::to_string(head + 1) + " does not exist (this model has " +
                                std::to_string(heads) + (heads == 1 ? " head)" : " heads)"));
  Builder b(shaper, options);
  std::vector<std::string> tokens;
  for (const attn::Token& t : layer_view.tokens()) tokens.push_back(attn::token_text(t.text));
  const std::string sentence = "\xE2\x80\x9C" + input.text + "\xE2\x80\x9D";
  const std::string caption = options.caption.empty() ? config_caption(layer_view, input) : options.caption;
  const float margin = b.s(16), gap = b.s(22);
  const float nf = static_cast<float>(n);

  if (kind == ExportKind::Qkv) {
    const std::size_t d = static_cast<std::size_t>(layer_view.config.resolved_d_head());
    std::vector<std::string> dims;
    for (std::size_t i = 0; i < d; ++i) dims.push_back(std::to_string(i + 1));
    const float cell =
        std::floor(std::clamp(std::min(b.s(260) / static_cast<float>(d), b.s(480) / nf), b.s(10), b.s(30)));
    struct Part {
      const char* title;
      TensorId id;  // the values, color range policy and colormap are the catalog's
    };
    const Part parts[] = {{"Q (queries)", TensorId::Q},
                          {"K (keys)", TensorId::K},
                          {"V (values)", TensorId::V},
                          {"Output = attention \xC2\xB7 V", TensorId::HeadOut}};
    std::vector<float> values[4];
    for (int i = 0; i < 4; ++i) values[i] = read_head(parts[i].id, layer_view, head);
    // Measure first so the title knows the full width.
    std::vector<MatrixPanel> panels;
    std::vector<Builder::Metrics> metrics;
    for (int i = 0; i < 4; ++i) {
      const ValueRange range = head_range(parts[i].id, layer_view, static_cast<std::size_t>(head));
      panels.push_back({parts[i].title, values[i].data(), static_cast<int>(n), static_cast<int>(d),
                        i == 0 ? &tokens : nullptr, cell >= b.s(10) ? &dims : nullptr,
                        tensor_colormap(parts[i].id, options.colormap), range.low, range.high, 2,
                        i == 0 ? "token" : nullptr, "dimension"});
      metrics.push_back(b.measure(panels.back(), cell, cell));
    }
    float width = margin;
    for (const auto& m : metrics) width += m.width + b.s(70) + gap;
    const float title_h = b.title("Head " + std::to_string(head + 1) + " Q, K, V and output \xC2\xB7 " + sentence,
                                  caption, std::max(width, b.s(700)));
    float x = std::round(margin), bottom = 0.0f;
    for (int i = 0; i < 4; ++i) {
      const Builder::Metrics& m = metrics[static_cast<std::size_t>(i)];
      b.panel(panels[static_cast<std::size_t>(i)], m, x, title_h);
      const float map_top = title_h + b.panel_title_height() + m.col_label_h;
      const float bar =
          b.color_bar(x + m.width + b.s(8), map_top, cell * nf, panels[static_cast<std::size_t>(i)].map,
                      panels[static_cast<std::size_t>(i)].low, panels[static_cast<std::size_t>(i)].high, 3, nullptr);
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
  const float cell =
      std::floor(grid ? std::clamp(b.s(340) / nf, b.s(11), b.s(44)) : std::clamp(b.s(620) / nf, b.s(12), b.s(56)));
  std::vector<MatrixPanel> panels;
  for (int h = first; h < first + count; ++h) {
    const ValueRange range = attention_range(layer_view, h, options.per_head_range);
    char title[64];
    if (options.per_head_range)
      std::snprintf(title, sizeof title, "Head %d  (%.2f\xE2\x80\x93%.2f)", h + 1, static_cast<double>(range.low),
                    static_cast<double>(range.high));
    else
      std::snprintf(title, sizeof title, "Head %d", h + 1);
    std::string full = title;
    const std::size_t note = static_cast<std::size_t>(h);
    if (note < options.head_notes.size() && !options.head_notes[note].empty())
      full += " \xC2\xB7 " + options.head_notes[note];
    panels.push_back({full, layer_view.attn(static_cast<std::size_t>(h)), static_cast<int>(n), static_cast<int>(n),
                      &tokens, &tokens, tensor_colormap(TensorId::Attn, options.colormap), range.low, range.high, 2,
                      "query", "key"});
  }
  const Builder::Metrics m = b.measure(panels[0], cell, cell);
  // With per-head ranges each panel carries its own small color bar.
  const float own_bar =
      options.per_head_range ? b.s(14) + b.s(6) + shaper.measure("0.000", b.s(10.5f)) + b.s(14) : 0.0f;
  const float panel_w = m.width + own_bar;
  const float shared_bar = options.per_head_range ? 0.0f : b.s(90);
  const float grid_w = margin + static_cast<float>(cols) * (panel_w + gap) + shared_bar;
  const std::string what =
      grid ? "Attention weights, all heads" : "Attention weights, head " + std::to_string(head + 1);
  const float title_h = b.title(what + " \xC2\xB7 " + sentence, caption, std::max(grid_w, b.s(520)));
  const float map_offset = b.panel_title_height() + m.col_label_h;  // panel top -> first cell row
  for (int i = 0; i < count; ++i) {
    const float x = std::round(margin + static_cast<float>(i % cols) * (panel_w + gap));
    const float y = std::round(title_h + static_cast<float>(i / cols) * (m.height + gap));
    b.panel(panels[static_cast<std::size_t>(i)], m, x, y, own_bar + gap - b.s(4));
    if (options.per_head_range)
      b.color_bar(x + m.width + b.s(8), y + map_offset, cell * nf, tensor_colormap(TensorId::Attn, options.colormap),
                  panels[static_cast<std::size_t>(i)].low, panels[static_cast<std::size_t>(i)].high, grid ? 3 : 5,
                  nullptr);
  }
  float width = grid_w;
  if (!options.per_head_range) {
    const float bar_x = margin + static_cast<float>(cols) * (panel_w + gap);
    width = bar_x +
            b.color_bar(bar_x, title_h + map_offset, cell * nf, tensor_colormap(TensorId::Attn, options.colormap), 0.0f,
                        1.0f, 5, "weight") +
            margin;
  }
  const float height = title_h + static_cast<float>(rows) * (m.height + gap) - gap + margin;
  return b.finish(std::max(width, b.s(520)), height);
}

}  // namespace app
