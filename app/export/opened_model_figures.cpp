// The opened model's three figures, built from the figure kit's parts (title block, matrix panel,
// color bar) so they read like every other figure; sizes in the figure's units times its scale.
#include "export/opened_model_figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/detector_notes.hpp"
#include "core/tensor_catalog.hpp"
#include "engine/text/token_text.hpp"
#include "export/figure_builder.hpp"

namespace app {

namespace {

using namespace figure_kit;

// A thumbnail has at most this many cells a side: a longer sentence is drawn as the mean of
// blocks of tokens (GPT-2 reads 1024 tokens; 144 heads of 1024 x 1024 cells would be 150 M rects).
constexpr int kThumbMaxCells = 48;

std::string quoted(const std::string& s) { return "\xE2\x80\x9C" + s + "\xE2\x80\x9D"; }

// `words` joined by `sep` into lines no wider than `width`, at most `max_lines` (the last ends in
// an ellipsis when words are left over).
std::vector<std::string> wrap(const TextShaper& shaper, const std::vector<std::string>& words, const std::string& sep,
                              float size, float width, int max_lines) {
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string next = line.empty() ? words[i] : line + sep + words[i];
    if (line.empty() || shaper.measure(next, size) <= width) {
      line = next;
      continue;
    }
    if (static_cast<int>(lines.size()) + 1 == max_lines) {
      lines.push_back(fit(shaper, line, size, width - shaper.measure(" \xE2\x80\xA6", size)) + " \xE2\x80\xA6");
      return lines;
    }
    lines.push_back(fit(shaper, line, size, width));
    line = words[i];
  }
  if (!line.empty()) lines.push_back(fit(shaper, line, size, width));
  return lines;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t space = text.find(' ', start);
    const std::string word = text.substr(start, space == std::string::npos ? std::string::npos : space - start);
    if (!word.empty()) words.push_back(word);
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return words;
}

// Lines of text from `y` down; returns the y below them.
float text_lines(Builder& b, const std::vector<std::string>& lines, float x, float y, float size, Rgba color) {
  for (const std::string& l : lines) {
    b.text(x, y + b.shaper().ascent(size), size, color, l);
    y += std::round(size * 1.45f);
  }
  return y;
}

// `text` wrapped at its spaces into at most `max_lines` dimmed lines.
float note(Builder& b, const std::string& text, float x, float y, float size, float width, int max_lines = 3) {
  return text_lines(b, wrap(b.shaper(), split_words(text), " ", size, width, max_lines), x, y, size, b.theme().dim);
}

// The title block, wrapped rather than cut (a slide shows the whole sentence and caption): the
// title in up to 3 lines, the caption in up to 3; returns its height.
float heading(Builder& b, const std::string& title, const std::string& caption, float width) {
  const float margin = b.s(16), size1 = b.s(17), size2 = b.s(12);
  b.set_title(title);
  float y = text_lines(b, wrap(b.shaper(), split_words(title), " ", size1, width - 2.0f * margin, 3), margin, margin,
                       size1, b.theme().text);
  y = note(b, caption, margin, y, size2, width - 2.0f * margin);
  return std::round(y + b.s(6));
}

std::string percent(float p) {
  char s[32];
  if (p >= 0.1f)
    std::snprintf(s, sizeof s, "%.1f%%", 100.0 * static_cast<double>(p));
  else if (p >= 0.01f)
    std::snprintf(s, sizeof s, "%.2f%%", 100.0 * static_cast<double>(p));
  else if (p >= 1e-6f)
    std::snprintf(s, sizeof s, "%.2g%%", 100.0 * static_cast<double>(p));
  else
    return "<0.0001%";  // never "0%" for a token the model still gives a chance
  return s;
}

std::vector<std::string> numbered(const char* prefix, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(prefix + std::to_string(i + 1));
  return out;
}

std::string letters_legend(const attn::DetectorScores& scores) {
  std::string legend;
  for (const attn::Detector d : scores.reported)
    legend +=
        (legend.empty() ? "" : " \xC2\xB7 ") + std::string(detector_letter(d)) + " " + std::string(attn::to_string(d));
  return legend;
}

std::vector<std::string> token_labels(const attn::SequenceRun& run) {
  std::vector<std::string> tokens;
  for (const attn::Token& t : run.tokens()) tokens.push_back(attn::token_text(t.text));
  return tokens;
}

}  // namespace

const char* model_figure_part_name(ModelFigure what) {
  switch (what) {
    case ModelFigure::Overview:
      return "overview";
    case ModelFigure::Importance:
      return "importance";
    case ModelFigure::Predictions:
      return "predictions";
  }
  return "model";
}

Figure layout_overview_figure(const ModelResult& result, const std::string& caption, const FigureOptions& options,
                              const TextShaper& shaper) {
  if (result.run.n_layers() == 0) throw std::invalid_argument("there is no model to draw");
  const int L = result.run.n_layers(), H = result.run.config.n_heads;
  const int n = static_cast<int>(result.run.n_tokens());
  if (n == 0) throw std::invalid_argument("there is nothing to draw: the sentence has no tokens");
  Builder b(shaper, options);
  const FigureColors& c = b.theme();
  const std::vector<std::string> tokens = token_labels(result.run);
  const float margin = b.s(16), gap = b.s(6);

  // 1. Sizes: thumbnails about 1000 units across the heads, whole-pixel cells, labels when a cell
  // is tall enough for them.
  const int bins = std::min(n, kThumbMaxCells);
  const float target = std::clamp(b.s(1000) / static_cast<float>(H), b.s(44), b.s(120));
  const float cell = std::max(1.0f, std::floor(target / static_cast<float>(bins)));
  const float thumb = cell * static_cast<float>(bins);
  const bool labels = bins == n && cell >= b.s(9);
  const float label_size = std::clamp(cell * 0.72f, b.s(9), b.s(12));
  const float axis = b.s(12);
  float row_label_w = 0.0f, col_label_h = 0.0f;
  if (labels)
    for (const std::string& t : tokens) {
      row_label_w = std::max(row_label_w, std::min(shaper.measure(t, label_size), b.s(110)));
      col_label_h = row_label_w;
    }
  if (labels) row_label_w = col_label_h = std::ceil(row_label_w + b.s(6));
  const float layer_w = std::ceil(shaper.measure("L" + std::to_string(L), axis) + b.s(10));
  const float grid_x = std::round(margin + layer_w + row_label_w);
  const float grid_w = static_cast<float>(H) * thumb + static_cast<float>(H - 1) * gap;
  const float bar_room = b.s(150);
  const float width = std::max(grid_x + grid_w + b.s(24) + bar_room + margin, b.s(640));

  // 2. Title, the legend of the letters, and the tokens when they are not on the axes.
  const float title_h = heading(b, "Every layer and head \xC2\xB7 " + quoted(result.text), caption, width);
  const float note_size = b.s(11.5f), text_w = width - 2.0f * margin;
  char mark[96];
  std::snprintf(mark, sizeof mark, "A letter marks a head's strongest pattern on this sentence (score %.2f or more): ",
                static_cast<double>(kOverviewMarkScore));
  float y = note(b, mark + letters_legend(result.detectors) + ".", margin, title_h, note_size, text_w);
  if (!labels) {
    std::string head = std::to_string(n) + (n == 1 ? " token" : " tokens");
    if (bins < n) {
      const int block = (n + bins - 1) / bins;
      head += " (each square of a thumbnail is the mean over about " + std::to_string(block) + " x " +
              std::to_string(block) + ")";
    }
    std::vector<std::string> words{head + ":"};
    words.insert(words.end(), tokens.begin(), tokens.end());
    y = text_lines(b, wrap(shaper, words, "  ", note_size, text_w, 4), margin, y, note_size, c.dim);
  }
  y = std::round(y + b.s(8));

  // 3. Head labels across the top, token labels (keys) under them, then a row of thumbnails per layer.
  const float head_y = y + shaper.ascent(axis);
  for (int h = 0; h < H; ++h)
    b.text(grid_x + static_cast<float>(h) * (thumb + gap) + thumb * 0.5f, head_y, axis, c.dim,
           "H" + std::to_string(h + 1), TextAlign::Middle);
  const float grid_y = std::round(y + axis * 1.5f + col_label_h);
  const float ls_mid = (shaper.ascent(label_size) - shaper.descent(label_size)) * 0.5f;
  if (labels)
    for (int h = 0; h < H; ++h)
      for (int k = 0; k < n; ++k)
        b.text(grid_x + static_cast<float>(h) * (thumb + gap) + cell * (static_cast<float>(k) + 0.5f) + ls_mid,
               grid_y - b.s(4), label_size, c.text,
               fit(shaper, tokens[static_cast<std::size_t>(k)], label_size, b.s(110)), TextAlign::Start, true);
  std::vector<float> binned(static_cast<std::size_t>(bins) * static_cast<std::size_t>(bins));
  for (int l = 0; l < L; ++l) {
    const float ty = grid_y + static_cast<float>(l) * (thumb + gap);
    b.text(margin, ty + thumb * 0.5f + (shaper.ascent(axis) - shaper.descent(axis)) * 0.5f, axis, c.dim,
           "L" + std::to_string(l + 1));
    if (labels)
      for (int q = 0; q < n; ++q)
        b.text(grid_x - b.s(4), ty + cell * (static_cast<float>(q) + 0.5f) + ls_mid, label_size, c.text,
               fit(shaper, tokens[static_cast<std::size_t>(q)], label_size, b.s(110)), TextAlign::End);
    const attn::LayerView layer = result.run.layer(l);
    for (int h = 0; h < H; ++h) {
      const float* a = layer.attn(static_cast<std::size_t>(h));
      // The mean over each block of queries x keys (blocks of one when the sentence fits).
      for (int r = 0; r < bins; ++r)
        for (int k = 0; k < bins; ++k) {
          const int r0 = r * n / bins, r1 = (r + 1) * n / bins, k0 = k * n / bins, k1 = (k + 1) * n / bins;
          double sum = 0.0;
          for (int i = r0; i < r1; ++i)
            for (int j = k0; j < k1; ++j)
              sum += static_cast<double>(
                  a[static_cast<std::size_t>(i) * static_cast<std::size_t>(n) + static_cast<std::size_t>(j)]);
          const float v = static_cast<float>(sum / static_cast<double>((r1 - r0) * (k1 - k0)));
          binned[static_cast<std::size_t>(r * bins + k)] = v;
        }
      // The window's rule, the catalog's thumbnail range: each head from 0 to its largest weight,
      // or every head on 0..1.
      const float high = options.per_head_range
                             ? tensor_range(TensorId::Attn, binned.data(), static_cast<std::size_t>(bins),
                                            static_cast<std::size_t>(bins), false, true)
                                   .high
                             : 1.0f;
      const float tx = grid_x + static_cast<float>(h) * (thumb + gap);
      for (int r = 0; r < bins; ++r)
        for (int k = 0; k < bins; ++k)
          b.rect(tx + cell * static_cast<float>(k), ty + cell * static_cast<float>(r), cell, cell,
                 rgba(colormap_color(tensor_colormap(TensorId::Attn, options.colormap),
                                     normalize(binned[static_cast<std::size_t>(r * bins + k)], 0.0f, high))));
      const StrongestDetector best = strongest_detector(result.detectors, l, h);
      if (best.score >= kOverviewMarkScore) {
        const float ms = std::clamp(thumb * 0.26f, b.s(9), b.s(13));
        const std::string letter = detector_letter(best.detector);
        const float lw = shaper.measure(letter, ms) + ms * 0.5f, lh = ms * 1.25f;
        b.rect(tx + thumb - lw, ty, lw, lh, Rgba{0, 0, 0, 185});
        b.text(tx + thumb - lw * 0.5f, ty + (lh + shaper.ascent(ms) - shaper.descent(ms)) * 0.5f, ms,
               Rgba{255, 255, 255, 255}, letter, TextAlign::Middle);
      }
    }
  }
  const float grid_h = static_cast<float>(L) * thumb + static_cast<float>(L - 1) * gap;
  // 4. One color bar for every thumbnail.
  const float bar_h = std::min(std::max(grid_h, b.s(120)), b.s(260));
  b.color_bar(grid_x + grid_w + b.s(24), grid_y + b.s(14), bar_h, tensor_colormap(TensorId::Attn, options.colormap),
              0.0f, 1.0f, options.per_head_range ? 3 : 5,
              options.per_head_range ? "weight / head's largest" : "weight");
  const float bottom = std::max(grid_y + grid_h, grid_y + b.s(14) + bar_h + b.s(8));
  return b.finish(width, bottom + margin);
}

Figure layout_importance_figure(const ModelResult& result, const HeadImportance& importance, const std::string& target,
                                const std::string& caption, const FigureOptions& options, const TextShaper& shaper) {
  if (result.run.n_layers() == 0) throw std::invalid_argument("there is no model to draw");
  const int L = result.run.n_layers(), H = result.run.config.n_heads;
  if (importance.done < importance.total ||
      importance.delta.size() != static_cast<std::size_t>(L) * static_cast<std::size_t>(H))
    throw std::invalid_argument("the map of which heads matter is not finished yet");
  // Every cell carries its number, whatever the option says: the figure is the numbers.
  FigureOptions o = options;
  o.show_values = false;  // drawn below, so both panels write theirs the same way
  Builder b(shaper, o);
  const float margin = b.s(16), gap = b.s(28);
  const float value_size = b.s(11);
  float m = 1e-3f;
  for (const float d : importance.delta)
    if (std::isfinite(d)) m = std::max(m, std::fabs(d));
  std::vector<float> best_scores(importance.delta.size(), 0.0f);
  std::vector<std::string> best_text(importance.delta.size());
  for (int l = 0; l < L; ++l)
    for (int h = 0; h < H; ++h) {
      const StrongestDetector best = strongest_detector(result.detectors, l, h);
      const std::size_t i = static_cast<std::size_t>(l * H + h);
      best_scores[i] = std::max(best.score, 0.0f);
      best_text[i] =
          best.score < 0.0f ? "\xE2\x80\x93" : std::string(detector_letter(best.detector)) + " " + fmt(best.score, 2);
    }
  float widest = shaper.measure("-00.00", value_size);
  for (const float d : importance.delta) widest = std::max(widest, shaper.measure(fmt(d, 2), value_size));
  for (const std::string& t : best_text) widest = std::max(widest, shaper.measure(t, value_size));
  const float cell_w = std::ceil(widest + b.s(10)), cell_h = std::round(b.s(24));
  const std::vector<std::string> layers = numbered("L", L), heads = numbered("H", H);
  const MatrixPanel delta{"change in log p when the head is knocked out",
                          importance.delta.data(),
                          L,
                          H,
                          &layers,
                          &heads,
                          Colormap::Diverging,
                          -m,
                          m,
                          2,
                          "layer",
                          "head"};
  const MatrixPanel scores{"its strongest pattern on this sentence",
                           best_scores.data(),
                           L,
                           H,
                           &layers,
                           &heads,
                           options.colormap,
                           0.0f,
                           1.0f,
                           2,
                           "layer",
                           "head"};
  const Builder::Metrics md = b.measure(delta, cell_w, cell_h), ms = b.measure(scores, cell_w, cell_h);
  const float bar_w = b.s(90);
  const float width =
      std::max(margin + md.width + b.s(10) + bar_w + gap + ms.width + b.s(10) + bar_w + margin, b.s(640));

  const float title_h = heading(b, "Which heads matter \xC2\xB7 " + quoted(result.text), caption, width);
  const float note_size = b.s(11.5f), text_w = width - 2.0f * margin;
  char base[160];
  std::snprintf(base, sizeof base,
                " after the sentence, the model's most likely next token: base log p = %.3f (p = %s).",
                static_cast<double>(importance.base_logprob), percent(std::exp(importance.base_logprob)).c_str());
  float y = note(b, "Measured: log p(" + target + ")" + base, margin, title_h, note_size, text_w);
  y = note(b,
           "Each cell: log p with that head knocked out minus the base. Negative (blue): the model needs the head for "
           "this answer; positive (red): the head holds it back.",
           margin, y, note_size, text_w);
  y = note(b,
           "Beside it, each head's strongest pattern on this sentence and its score: " +
               letters_legend(result.detectors) + ".",
           margin, y, note_size, text_w);
  y = std::round(y + b.s(6));

  const auto cell_texts = [&](const Builder::Metrics& mt, float x, const MatrixPanel& p,
                              const std::vector<std::string>& texts) {
    const float left = x + mt.row_label_w, top = y + b.panel_title_height() + mt.col_label_h;
    for (int l = 0; l < L; ++l)
      for (int h = 0; h < H; ++h) {
        const std::size_t i = static_cast<std::size_t>(l * H + h);
        const Rgb8 col = colormap_color(p.map, normalize(p.values[i], p.low, p.high));
        b.text(left + cell_w * (static_cast<float>(h) + 0.5f),
               top + cell_h * (static_cast<float>(l) + 0.5f) +
                   (shaper.ascent(value_size) - shaper.descent(value_size)) * 0.5f,
               value_size, contrast_on(col), texts[i], TextAlign::Middle);
      }
    return top;
  };
  float x = margin;
  b.panel(delta, md, x, y, b.s(10) + bar_w + gap - b.s(8));
  std::vector<std::string> delta_text;
  for (const float d : importance.delta) delta_text.push_back(fmt(d, 2));
  const float map_top = cell_texts(md, x, delta, delta_text);
  const float map_h = cell_h * static_cast<float>(L);
  const float bar_h = std::max(map_h, b.s(100));
  b.color_bar(x + md.width + b.s(10), map_top, bar_h, Colormap::Diverging, -m, m, 5, "\xCE\x94 log p");
  x = std::round(x + md.width + b.s(10) + bar_w + gap);
  b.panel(scores, ms, x, y, b.s(10) + bar_w - b.s(4));
  cell_texts(ms, x, scores, best_text);
  b.color_bar(x + ms.width + b.s(10), map_top, bar_h, options.colormap, 0.0f, 1.0f, 5, "score");
  return b.finish(width, map_top + std::max(map_h, bar_h) + margin);
}

Figure layout_predictions_figure(const ModelResult& result, int position, const std::vector<Prediction>& top,
                                 const std::string& caption, const FigureOptions& options, const TextShaper& shaper) {
  const int n = static_cast<int>(result.run.n_tokens());
  if (top.empty() || position < 0 || position >= n) throw std::invalid_argument("there are no predictions to draw");
  Builder b(shaper, options);
  const FigureColors& c = b.theme();
  const float margin = b.s(16);
  const float size = b.s(14), small = b.s(11.5f);
  const std::string after = attn::token_text(result.run.tokens()[static_cast<std::size_t>(position)].text);
  // The bars' scale: the smallest round probability at or above the first one.
  float scale = 1.0f;
  for (const float s : {1e-4f, 2e-4f, 5e-4f, 1e-3f, 2e-3f, 5e-3f, 0.01f, 0.02f, 0.05f, 0.1f, 0.2f, 0.25f, 0.5f})
    if (top.front().probability <= s) {
      scale = s;
      break;
    }
  float label_w = 0.0f, id_w = 0.0f;
  for (const Prediction& p : top) {
    label_w = std::max(label_w, std::min(shaper.measure(p.token, size), b.s(260)));
    id_w = std::max(id_w, shaper.measure("id " + std::to_string(p.id), small));
  }
  label_w = std::ceil(label_w + b.s(10));
  const float bars_w = b.s(460), value_w = shaper.measure("100.0%", size) + b.s(12);
  const float width = std::max(margin + label_w + bars_w + value_w + id_w + b.s(12) + margin, b.s(640));
  const float title_h = heading(b,
                                "Next token after " + quoted(after) + " (token " + std::to_string(position + 1) +
                                    " of " + std::to_string(n) + ") \xC2\xB7 " + quoted(result.text),
                                caption, width);
  const float top_y =
      std::round(note(b,
                      "The model's " + std::to_string(top.size()) + " most likely next tokens and their probabilities" +
                          (scale < 1.0f ? "; the scale runs to " + percent(scale) + "." : "."),
                      margin, title_h, small, width - 2.0f * margin) +
                 b.s(22));
  const float left = margin + label_w, pitch = std::round(b.s(30)), bar_h = std::round(b.s(22));
  const float rows_h = pitch * static_cast<float>(top.size());
  // Grid lines and their probabilities above the bars.
  for (int i = 0; i <= 4; ++i) {
    const float gx = left + bars_w * static_cast<float>(i) / 4.0f;
    b.line(gx, top_y - b.s(4), gx, top_y + rows_h, b.s(1), c.frame);
    char tick[32];
    std::snprintf(tick, sizeof tick, "%.3g%%", 100.0 * static_cast<double>(scale) * i / 4.0);
    b.text(gx, top_y - b.s(8), small, c.dim, tick, TextAlign::Middle);
  }
  const Rgba bar = rgba(colormap_color(options.colormap, 0.35f));
  const float mid = (shaper.ascent(size) - shaper.descent(size)) * 0.5f;
  for (std::size_t i = 0; i < top.size(); ++i) {
    const Prediction& p = top[i];
    const float ry = top_y + pitch * static_cast<float>(i), cy = ry + bar_h * 0.5f + mid;
    b.text(left - b.s(8), cy, size, c.text, fit(shaper, p.token, size, b.s(260)), TextAlign::End);
    const float w = bars_w * std::clamp(p.probability / scale, 0.0f, 1.0f);
    b.rect(left, ry, w, bar_h, bar);
    b.text(left + w + b.s(6), cy, size, c.text, percent(p.probability));
    b.text(left + bars_w + value_w, cy, small, c.dim, "id " + std::to_string(p.id));
  }
  return b.finish(width, top_y + rows_h + margin);
}

Figure opened_model_figure(const OpenedModel& model, const std::string& text, const ModelFigureRequest& request,
                           const FigureOptions& options, const TextShaper& shaper) {
  if (request.what == ModelFigure::Predictions && (request.top_k < 1 || request.top_k > kMaxTopK))
    throw std::invalid_argument("top-k must be 1 to " + std::to_string(kMaxTopK) + ", got " +
                                std::to_string(request.top_k));
  const ModelResult result = compute_model_result(model, text, attn::LogitRows::All, request.knocked_out);
  std::string caption = opened_caption(model);
  if (result.tokens_typed > 0)
    caption += " \xC2\xB7 the first " + std::to_string(result.run.input.ids.size()) + " of the sentence's " +
               std::to_string(result.tokens_typed) + " tokens";
  // A figure with heads knocked out says which, so it is never taken for the intact model.
  std::string out;
  const int H = model.model.arch.n_heads;
  for (std::size_t i = 0; i < request.knocked_out.size(); ++i)
    if (request.knocked_out[i])
      out += (out.empty() ? "" : ", ") + std::string("L") + std::to_string(static_cast<int>(i) / H + 1) + " H" +
             std::to_string(static_cast<int>(i) % H + 1);
  if (!out.empty()) caption += " \xC2\xB7 knocked out: " + out;
  switch (request.what) {
    case ModelFigure::Overview:
      return layout_overview_figure(result, caption, options, shaper);
    case ModelFigure::Importance: {
      const HeadImportance importance = head_importance(model, result);
      const std::string target =
          quoted(attn::token_text(model.token_bytes[static_cast<std::size_t>(importance.target)]));
      return layout_importance_figure(result, importance, target, caption, options, shaper);
    }
    case ModelFigure::Predictions: {
      const int n = static_cast<int>(result.run.input.ids.size());
      const int position = request.position < 0 ? n - 1 : request.position;
      if (position >= n)
        throw std::invalid_argument(
            "position " + std::to_string(position + 1) + " is outside the sentence: it has " + std::to_string(n) +
            (n == 1 ? " token (position 1)" : " tokens (positions 1 to " + std::to_string(n) + ")"));
      return layout_predictions_figure(result, position,
                                       predictions_after(result.run, model.token_bytes, position, request.top_k),
                                       caption, options, shaper);
    }
  }
  throw std::invalid_argument("unknown model figure");
}

}  // namespace app
