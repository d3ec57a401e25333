// The model view as layer blocks of the explorer's grid figure, the curves as lines, the movie's
// 16:9 frames from the same panels, and the GIF through giflib.
#include "export/model_figures.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "core/detector_notes.hpp"
#include "core/head_colors.hpp"
#include "core/model_run.hpp"
#include "engine/text/token_text.hpp"
#include "export/figure_builder.hpp"
#include "export/figure_layout.hpp"
#include "export/figure_render.hpp"

namespace app {

namespace {

using figure_kit::rgba;

// Appends `part` to `figure` shifted down by `dy`.
void append(Figure& figure, const Figure& part, float dy) {
  for (FigureRect r : part.rects) {
    r.y += dy;
    figure.rects.push_back(r);
  }
  for (FigureLine l : part.lines) {
    l.y0 += dy;
    l.y1 += dy;
    figure.lines.push_back(l);
  }
  for (FigureText t : part.texts) {
    t.y += dy;
    figure.texts.push_back(std::move(t));
  }
  figure.width = std::max(figure.width, part.width);
}

}  // namespace

Figure layout_model_figure(const attn::SequenceRun& run, const std::string& text, const std::string& caption,
                           const FigureOptions& options, const TextShaper& shaper, const attn::DetectorScores* scores) {
  if (run.n_layers() == 0) throw std::invalid_argument("there is no model to draw");
  Figure figure;
  float y = 0.0f;
  for (int l = 0; l < run.n_layers(); ++l) {
    ModelInput input;
    input.text = text;
    input.config = run.config;
    FigureOptions o = options;
    o.caption = "Layer " + std::to_string(l + 1) + " of " + std::to_string(run.n_layers()) + " \xC2\xB7 " + caption;
    if (scores) o.head_notes = detector_notes(*scores, static_cast<int>(l));
    const Figure part = layout_figure(run.layer(l), input, ExportKind::Grid, 0, o, shaper);
    if (!figure.background) figure.background = part.background;
    if (figure.title.empty()) figure.title = "Every layer's heads \xC2\xB7 " + caption;
    append(figure, part, y);
    y += static_cast<float>(part.height);
  }
  figure.height = static_cast<int>(std::ceil(y));
  return figure;
}

Figure layout_curves_figure(const std::vector<std::shared_ptr<const CurvePoint>>& curve, int n_layers, int n_heads,
                            const std::string& caption, const FigureOptions& options, const TextShaper& shaper) {
  if (curve.empty()) throw std::invalid_argument("there is no training curve yet");
  const FigureColors c = figure_colors(options.theme);
  const float s = static_cast<float>(options.scale);
  const std::vector<attn::Detector>& detectors = curve.back()->detectors.reported;
  const int panels = 1 + static_cast<int>(detectors.size());
  const float panel_w = 300.0f * s, panel_h = 200.0f * s, margin = 16.0f * s, gap = 40.0f * s;
  const float title = 18.0f * s, small = 11.0f * s, top = margin + title * 1.3f + small * 1.6f + gap * 0.5f;
  Figure f;
  f.width = static_cast<int>(std::ceil(margin * 2.0f + gap * 0.6f + panel_w * static_cast<float>(panels) +
                                       gap * static_cast<float>(panels - 1)));
  f.height = static_cast<int>(std::ceil(top + panel_h + small * 3.5f + margin));
  if (!options.transparent) f.background = c.background;
  f.title = "Training curves \xC2\xB7 " + caption;
  f.texts.push_back({margin, margin + shaper.ascent(title), title, c.text, "Training curves"});
  f.texts.push_back({margin, margin + title * 1.3f + shaper.ascent(small), small, c.dim, caption});

  const long long last = curve.back()->step;
  const float x_max = static_cast<float>(std::max<long long>(last, 1));
  float loss_max = 0.0f;
  for (const auto& p : curve) loss_max = std::max(loss_max, p->loss);
  loss_max = std::max(loss_max * 1.05f, 1e-6f);
  const auto panel = [&](int i, const std::string& name, const std::string& y_top) {
    const float x0 = margin + gap * 0.6f + static_cast<float>(i) * (panel_w + gap), y0 = top;
    f.texts.push_back({x0, y0 - small * 0.8f, small * 1.15f, c.text, name});
    f.lines.push_back({x0, y0, x0, y0 + panel_h, s, c.frame});
    f.lines.push_back({x0, y0 + panel_h, x0 + panel_w, y0 + panel_h, s, c.frame});
    f.texts.push_back({x0 - 4.0f * s, y0 + shaper.ascent(small), small, c.dim, y_top, TextAlign::End});
    f.texts.push_back({x0 - 4.0f * s, y0 + panel_h, small, c.dim, "0", TextAlign::End});
    f.texts.push_back({x0, y0 + panel_h + small * 1.3f, small, c.dim, "step 0"});
    f.texts.push_back({x0 + panel_w, y0 + panel_h + small * 1.3f, small, c.dim, std::to_string(last), TextAlign::End});
    return [=](float step, float value, float v_max) {
      return std::pair<float, float>{x0 + panel_w * step / x_max,
                                     y0 + panel_h - panel_h * std::clamp(value / v_max, 0.0f, 1.0f)};
    };
  };
  char loss_top[32];
  std::snprintf(loss_top, sizeof loss_top, "%.2g", static_cast<double>(loss_max));
  const auto at = panel(0, "Held-out loss (line) and accuracy (green, 0-1)", loss_top);
  const Rgba green{60, 170, 90, 255};
  for (std::size_t i = 1; i < curve.size(); ++i) {
    const CurvePoint &a = *curve[i - 1], &b = *curve[i];
    const auto [x0, y0] = at(static_cast<float>(a.step), a.loss, loss_max);
    const auto [x1, y1] = at(static_cast<float>(b.step), b.loss, loss_max);
    f.lines.push_back({x0, y0, x1, y1, 1.6f * s, c.text});
    const auto [ax0, ay0] = at(static_cast<float>(a.step), a.accuracy, 1.0f);
    const auto [ax1, ay1] = at(static_cast<float>(b.step), b.accuracy, 1.0f);
    f.lines.push_back({ax0, ay0, ax1, ay1, 1.6f * s, green});
  }
  for (std::size_t d = 0; d < detectors.size(); ++d) {
    const attn::Detector det = detectors[d];
    const attn::HeadScore best = curve.back()->detectors.best(det);
    char name[96];
    std::snprintf(name, sizeof name, "%s: best layer %d, head %d (%.2f)", std::string(attn::to_string(det)).c_str(),
                  best.layer + 1, best.head + 1, static_cast<double>(best.score));
    const auto pt = panel(static_cast<int>(d) + 1, name, "1");
    for (int l = 0; l < n_layers; ++l)
      for (int h = 0; h < n_heads; ++h) {
        const Rgba color = rgba(head_color(l, h, n_heads));
        const std::size_t k = static_cast<std::size_t>(l * n_heads + h);
        const float width = (l == best.layer && h == best.head ? 2.4f : 1.2f) * s;
        for (std::size_t i = 1; i < curve.size(); ++i) {
          const auto& sa = curve[i - 1]->detectors.score[static_cast<int>(det)];
          const auto& sb = curve[i]->detectors.score[static_cast<int>(det)];
          if (sa.size() <= k || sb.size() <= k) continue;
          const auto [x0, y0] = pt(static_cast<float>(curve[i - 1]->step), sa[k], 1.0f);
          const auto [x1, y1] = pt(static_cast<float>(curve[i]->step), sb[k], 1.0f);
          f.lines.push_back({x0, y0, x1, y1, width, color});
        }
      }
  }
  // The legend: each head's color, as in the window.
  float lx = margin;
  const float ly = top + panel_h + small * 3.0f;
  for (int l = 0; l < n_layers; ++l)
    for (int h = 0; h < n_heads; ++h) {
      if (lx > static_cast<float>(f.width) - 60.0f * s) break;
      f.rects.push_back({lx, ly - small * 0.8f, small * 1.4f, small * 0.8f, rgba(head_color(l, h, n_heads))});
      const std::string label = "L" + std::to_string(l + 1) + "H" + std::to_string(h + 1);
      f.texts.push_back({lx + small * 1.7f, ly, small, c.dim, label});
      lx += small * 1.7f + shaper.measure(label, small) + small * 1.2f;
    }
  return f;
}

Figure layout_movie_frame(const attn::SequenceRun& run, const std::string& text, const MovieFrameInfo& info,
                          const FigureOptions& options, const TextShaper& shaper) {
  using figure_kit::Builder;
  using figure_kit::MatrixPanel;
  if (run.n_layers() == 0) throw std::invalid_argument("there is no model to draw");
  const std::size_t n = run.n_tokens();
  if (n == 0) throw std::invalid_argument("there is nothing to draw: the sentence has no tokens");
  // Laid out as a 1280 x 720 slide and drawn at 1.5x: every size below is in those units.
  const float k = static_cast<float>(kMovieWidth) / 1280.0f;
  Builder b(shaper, options, k);
  b.set_label_max(16.0f);
  const FigureColors& c = b.theme();
  const float W = 1280.0f, H = 720.0f;  // 16:9
  const float margin = 22.0f;

  // 1. The numbers a class reads from the back: step and held-out loss, large.
  const float small = 15.0f, big = 44.0f;
  const float label_y = margin + shaper.ascent(b.s(small)) / k,
              value_y = margin + small * 1.35f + shaper.ascent(b.s(big)) / k;
  float x = margin;
  const auto stat = [&](const std::string& label, const std::string& value, const std::string& widest) {
    b.text(b.s(x), b.s(label_y), b.s(small), c.dim, label);
    b.text(b.s(x), b.s(value_y), b.s(big), c.text, value);
    // Each block as wide as its widest possible value, so nothing jumps from frame to frame.
    x += std::max(shaper.measure(widest, b.s(big)), shaper.measure(label, b.s(small))) / k + 48.0f;
  };
  const std::string total = std::to_string(info.total_steps);
  stat("step", std::to_string(info.step) + " / " + total, std::string(total.size(), '8') + " / " + total);
  char value[32];
  if (info.point) std::snprintf(value, sizeof value, "%.3f", static_cast<double>(info.point->loss));
  stat("held-out loss", info.point ? value : "\xE2\x80\x93", "88.888");
  if (info.point) std::snprintf(value, sizeof value, "%.0f%%", 100.0 * static_cast<double>(info.point->accuracy));
  stat("accuracy", info.point ? value : "\xE2\x80\x93", "100%");
  // The held-out loss so far, on axes that span the whole run (steps 0..total, loss 0..its
  // largest), so the line grows to the right and nothing rescales between frames.
  if (info.curve && !info.curve->empty() && info.total_steps > 0) {
    const float px0 = x + 10.0f, px1 = W - margin, py0 = margin + 4.0f, py1 = margin + small * 1.35f + big * 1.05f;
    float loss_max = 0.0f;
    for (const auto& p : *info.curve) loss_max = std::max(loss_max, p->loss);
    loss_max = std::max(loss_max, 1e-6f);
    b.line(b.s(px0), b.s(py1), b.s(px1), b.s(py1), b.s(1.0f), c.frame);
    b.line(b.s(px0), b.s(py0), b.s(px0), b.s(py1), b.s(1.0f), c.frame);
    const auto at = [&](const CurvePoint& p) {
      const float fx = std::clamp(static_cast<float>(p.step) / static_cast<float>(info.total_steps), 0.0f, 1.0f);
      const float fy = std::clamp(p.loss / loss_max, 0.0f, 1.0f);
      return std::pair<float, float>{b.s(px0 + (px1 - px0) * fx), b.s(py1 - (py1 - py0) * fy)};
    };
    const CurvePoint* previous = nullptr;
    for (const auto& p : *info.curve) {
      if (p->step > info.step) break;
      if (previous) {
        const auto [x0, y0] = at(*previous);
        const auto [x1, y1] = at(*p);
        b.line(x0, y0, x1, y1, b.s(2.0f), c.text);
      }
      previous = p.get();
    }
    char top[32];
    std::snprintf(top, sizeof top, "%.2g", static_cast<double>(loss_max));
    b.text(b.s(px0 - 6.0f), b.s(py0) + shaper.ascent(b.s(11.0f)), b.s(11.0f), c.dim, top, TextAlign::End);
    b.text(b.s(px0 - 6.0f), b.s(py1), b.s(11.0f), c.dim, "0", TextAlign::End);
    // Top right, where a falling loss leaves the plot empty.
    b.text(b.s(px1), b.s(py0) + shaper.ascent(b.s(11.0f)), b.s(11.0f), c.dim,
           "held-out loss, steps 0\xE2\x80\x93" + total, TextAlign::End);
  }
  // The run's progress as a bar under the numbers.
  const float bar_y = value_y + shaper.descent(b.s(big)) / k + 10.0f, bar_h = 6.0f;
  const float done = info.total_steps > 0
                         ? std::clamp(static_cast<float>(info.step) / static_cast<float>(info.total_steps), 0.0f, 1.0f)
                         : 1.0f;
  b.rect(b.s(margin), b.s(bar_y), b.s(W - 2.0f * margin), b.s(bar_h), c.frame);
  b.rect(b.s(margin), b.s(bar_y), b.s((W - 2.0f * margin) * done), b.s(bar_h), c.text);
  const float caption_size = 13.0f;
  const float caption_y = bar_y + bar_h + 8.0f + shaper.ascent(b.s(caption_size)) / k;
  b.text(b.s(margin), b.s(caption_y), b.s(caption_size), c.dim,
         figure_kit::fit(shaper, info.caption + " \xC2\xB7 on \xE2\x80\x9C" + text + "\xE2\x80\x9D", b.s(caption_size),
                         b.s(W - 2.0f * margin)));

  // 2. The heads: a row per layer, a column per head, the largest whole-pixel cells that fit.
  const int L = run.n_layers(), heads = run.config.n_heads;
  std::vector<std::string> tokens;
  for (const attn::Token& t : run.tokens()) tokens.push_back(attn::token_text(t.text));
  const float top = caption_y + 14.0f, gap_x = 16.0f, gap_y = 6.0f, bar_room = 70.0f;
  const float room_w = b.s(W - 2.0f * margin - bar_room), room_h = b.s(H - margin - top);
  const auto panel_of = [&](int l, int h, bool labels) {
    std::string title = "L" + std::to_string(l + 1) + " H" + std::to_string(h + 1);
    if (info.point) {
      const std::string note = detector_note(info.point->detectors, l, h);
      if (!note.empty()) title += " \xC2\xB7 " + note;
    }
    return MatrixPanel{title,
                       run.layer(l).attn(static_cast<std::size_t>(h)),
                       static_cast<int>(n),
                       static_cast<int>(n),
                       labels ? &tokens : nullptr,
                       labels ? &tokens : nullptr,
                       options.colormap,
                       0.0f,
                       1.0f,
                       2,
                       "query",
                       "key"};
  };
  // A layer's heads fill `cols` columns and as many rows as that takes, so many heads wrap
  // instead of shrinking to a strip along the top.
  const auto fits = [&](const Builder::Metrics& mm, int cols) {
    const int rows = L * ((heads + cols - 1) / cols);
    return static_cast<float>(cols) * mm.width + static_cast<float>(cols - 1) * b.s(gap_x) <= room_w &&
           static_cast<float>(rows) * mm.height + static_cast<float>(rows - 1) * b.s(gap_y) <= room_h;
  };
  // The largest whole-pixel cells over every column count: with token labels while a row is tall
  // enough for their smallest size, below that the cells alone.
  bool labels = true;
  float cell = 0.0f;
  int cols = heads;
  Builder::Metrics m{};
  for (const bool with_labels : {true, false}) {
    const MatrixPanel probe = panel_of(0, 0, with_labels);
    for (int n_cols = heads; n_cols >= 1; --n_cols)
      for (float px = std::floor(b.s(60.0f)); px > cell; px -= 1.0f) {
        const Builder::Metrics mm = b.measure(probe, px, px);
        if (!fits(mm, n_cols)) continue;
        cell = px, cols = n_cols, m = mm;
        break;
      }
    labels = with_labels;
    if (cell >= b.s(9.0f) || (!with_labels && cell > 0.0f)) break;
    cell = 0.0f;
  }
  if (cell <= 0.0f)
    throw std::invalid_argument("the model has too many heads or tokens to draw in a " + std::to_string(kMovieWidth) +
                                " x " + std::to_string(kMovieHeight) + " frame");
  const int rows_per_layer = (heads + cols - 1) / cols;
  const float grid_w = static_cast<float>(cols) * m.width + static_cast<float>(cols - 1) * b.s(gap_x);
  const float left = std::round(b.s(margin) + (room_w - grid_w) * 0.5f);
  const float title_room = b.s(gap_x) - b.s(4.0f);
  for (int l = 0; l < L; ++l)
    for (int h = 0; h < heads; ++h) {
      const int row = l * rows_per_layer + h / cols;
      const float px = std::round(left + static_cast<float>(h % cols) * (m.width + b.s(gap_x)));
      const float py = std::round(b.s(top) + static_cast<float>(row) * (m.height + b.s(gap_y)));
      b.panel(panel_of(l, h, labels), m, px, py, title_room);
    }
  const float map_top = std::round(b.s(top)) + b.panel_title_height() + m.col_label_h;
  b.color_bar(left + grid_w + b.s(18.0f), map_top, cell * static_cast<float>(n), options.colormap, 0.0f, 1.0f, 5,
              "weight");
  return b.finish(static_cast<float>(kMovieWidth), static_cast<float>(kMovieHeight));
}

std::string model_movie_gif(const attn::Checkpoint& spec, const std::vector<ParamsAtStep>& snapshots,
                            const std::vector<std::shared_ptr<const CurvePoint>>& curve, const std::string& text,
                            const FigureOptions& options, int max_frames) {
  if (snapshots.empty()) throw std::invalid_argument("the run has no snapshots to animate");
  std::vector<std::size_t> picked;
  const std::size_t count = std::min<std::size_t>(snapshots.size(), static_cast<std::size_t>(std::max(max_frames, 2)));
  for (std::size_t i = 0; i < count; ++i)
    picked.push_back(i * (snapshots.size() - 1) / std::max<std::size_t>(count - 1, 1));
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  const TextShaper shaper;
  const long long total = snapshots.back().step;
  // The run plays in about kMoviePlayCs whatever the number of frames; the last one holds.
  const int delay = picked.size() > 1
                        ? std::clamp(static_cast<int>(std::lround(static_cast<double>(kMoviePlayCs) /
                                                                  static_cast<double>(picked.size() - 1))),
                                     2, 50)
                        : kMovieHoldCs;
  GifStream gif(kMovieWidth, kMovieHeight, figure_palette(options.theme, options.colormap));
  for (std::size_t f = 0; f < picked.size(); ++f) {
    const ParamsAtStep& snapshot = snapshots[picked[f]];
    attn::Model model = spec.model;
    model.params = *snapshot.params;
    const ModelRun run = run_model(model, spec, text);
    MovieFrameInfo info;
    info.step = snapshot.step;
    info.total_steps = total;
    info.caption = model_caption(spec);
    info.curve = &curve;
    for (const auto& p : curve)
      if (p->step <= snapshot.step) info.point = p.get();
    const Figure figure = layout_movie_frame(run, text, info, options, shaper);
    gif.add(render_rgba(figure, shaper), f + 1 == picked.size() ? kMovieHoldCs : delay);
  }
  return gif.finish();
}

std::vector<Rgb8> figure_palette(Theme theme, Colormap map) {
  std::vector<Rgb8> palette;
  const std::array<Rgb8, 256>& lut = colormap_lut(map);
  // 160 of the colormap's 256 steps: neighbours differ by at most a unit or two per channel.
  for (int i = 0; i < 160; ++i) palette.push_back(lut[static_cast<std::size_t>(std::lround(i * 255.0 / 159.0))]);
  const FigureColors c = figure_colors(theme);
  const auto mix = [](std::uint8_t a, std::uint8_t b2, int i, int steps) {
    return static_cast<std::uint8_t>(std::lround(a + (b2 - a) * static_cast<double>(i) / steps));
  };
  // Text is anti-aliased over the background: every blend between the two (the dimmed text and
  // the frames are greys on the same line), then the few theme colors exactly.
  const int steps = 80;
  for (int i = 0; i <= steps; ++i)
    palette.push_back({mix(c.background.r, c.text.r, i, steps), mix(c.background.g, c.text.g, i, steps),
                       mix(c.background.b, c.text.b, i, steps)});
  for (Rgba e : {c.dim, c.frame}) palette.push_back({e.r, e.g, e.b});
  palette.push_back(kNonFiniteColor);
  return palette;
}

namespace {

int write_to_string(GifFileType* gif, const GifByteType* bytes, int n) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(n));
  return n;
}

constexpr int kTransparent = 255;

}  // namespace

struct GifStream::Impl {
  int width, height;
  std::vector<Rgb8> palette;
  std::string out;
  GifFileType* gif = nullptr;
  std::vector<unsigned char> previous;                      // the last frame's RGBA, to find what changed
  std::unordered_map<std::uint32_t, std::uint8_t> nearest;  // RGB -> palette index, as met
  bool finished = false;

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("GIF ") + what + ": " + GifErrorString(gif ? gif->Error : 0));
  }
  std::uint8_t index_of(const unsigned char* px) {
    const std::uint32_t key = static_cast<std::uint32_t>(px[0]) << 16 | static_cast<std::uint32_t>(px[1]) << 8 | px[2];
    const auto found = nearest.find(key);
    if (found != nearest.end()) return found->second;
    int best = 0;
    long best_d = -1;
    for (std::size_t i = 0; i < palette.size(); ++i) {
      const long dr = px[0] - palette[i].r, dg = px[1] - palette[i].g, db = px[2] - palette[i].b;
      const long d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;  // green counts most, blue least, as the eye does
      if (best_d < 0 || d < best_d) {
        best_d = d;
        best = static_cast<int>(i);
      }
    }
    nearest.emplace(key, static_cast<std::uint8_t>(best));
    return static_cast<std::uint8_t>(best);
  }
};

GifStream::GifStream(int width, int height, std::vector<Rgb8> palette) : m(std::make_unique<Impl>()) {
  if (width <= 0 || height <= 0 || width > 65535 || height > 65535)
    throw std::invalid_argument("a GIF frame must be 1 to 65535 pixels a side");
  if (palette.empty() || palette.size() > 255) throw std::invalid_argument("a GIF palette needs 1 to 255 colors");
  m->width = width;
  m->height = height;
  m->palette = std::move(palette);
  int error = 0;
  m->gif = EGifOpen(&m->out, write_to_string, &error);
  if (!m->gif) throw std::runtime_error(std::string("cannot start a GIF: ") + GifErrorString(error));
  EGifSetGifVersion(m->gif, true);
  GifColorType colors[256] = {};
  for (std::size_t i = 0; i < m->palette.size(); ++i) colors[i] = {m->palette[i].r, m->palette[i].g, m->palette[i].b};
  ColorMapObject* map = GifMakeMapObject(256, colors);
  const bool ok = EGifPutScreenDesc(m->gif, width, height, 8, 0, map) != GIF_ERROR;
  GifFreeMapObject(map);
  if (!ok) m->fail("screen");
  // NETSCAPE2.0: loop for ever, so a slide plays the run again and again.
  const unsigned char loop[] = {1, 0, 0};
  if (EGifPutExtensionLeader(m->gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(m->gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
      EGifPutExtensionBlock(m->gif, 3, loop) == GIF_ERROR || EGifPutExtensionTrailer(m->gif) == GIF_ERROR)
    m->fail("loop");
}

GifStream::~GifStream() {
  if (m && m->gif) EGifCloseFile(m->gif, nullptr);
}

void GifStream::add(const std::vector<unsigned char>& rgba, int delay_cs) {
  if (m->finished) throw std::logic_error("GifStream::add after finish");
  const std::size_t w = static_cast<std::size_t>(m->width), h = static_cast<std::size_t>(m->height);
  if (rgba.size() != w * h * 4) throw std::invalid_argument("GIF frames must all be the same size");
  // The rectangle that changed since the last frame (all of the first).
  std::size_t x0 = 0, y0 = 0, x1 = w, y1 = h;
  const bool first = m->previous.empty();
  if (!first) {
    x0 = w, y0 = h, x1 = 0, y1 = 0;
    for (std::size_t y = 0; y < h; ++y)
      for (std::size_t x = 0; x < w; ++x) {
        const std::size_t i = (y * w + x) * 4;
        if (std::memcmp(&rgba[i], &m->previous[i], 3) == 0) continue;
        x0 = std::min(x0, x), x1 = std::max(x1, x + 1), y0 = std::min(y0, y), y1 = std::max(y1, y + 1);
      }
    if (x0 >= x1) x0 = 0, y0 = 0, x1 = 1, y1 = 1;  // nothing changed: one transparent pixel carries the delay
  }
  GraphicsControlBlock gcb{};
  gcb.DisposalMode = DISPOSE_DO_NOT;  // each frame paints over the last
  gcb.DelayTime = delay_cs;
  gcb.TransparentColor = first ? NO_TRANSPARENT_COLOR : kTransparent;
  GifByteType extension[4];
  EGifGCBToExtension(&gcb, extension);
  if (EGifPutExtension(m->gif, GRAPHICS_EXT_FUNC_CODE, 4, extension) == GIF_ERROR ||
      EGifPutImageDesc(m->gif, static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
                       static_cast<int>(y1 - y0), false, nullptr) == GIF_ERROR)
    m->fail("frame");
  std::vector<GifByteType> row(x1 - x0);
  for (std::size_t y = y0; y < y1; ++y) {
    for (std::size_t x = x0; x < x1; ++x) {
      const std::size_t i = (y * w + x) * 4;
      row[x - x0] = !first && std::memcmp(&rgba[i], &m->previous[i], 3) == 0 ? kTransparent : m->index_of(&rgba[i]);
    }
    if (EGifPutLine(m->gif, row.data(), static_cast<int>(row.size())) == GIF_ERROR) m->fail("pixels");
  }
  m->previous = rgba;
}

std::string GifStream::finish() {
  if (m->finished) throw std::logic_error("GifStream::finish twice");
  m->finished = true;
  if (m->previous.empty()) throw std::invalid_argument("a GIF needs at least one frame");
  GifFileType* done = m->gif;
  m->gif = nullptr;  // closed here, not again by the destructor
  int error = 0;
  if (EGifCloseFile(done, &error) == GIF_ERROR)
    throw std::runtime_error(std::string("GIF end: ") + GifErrorString(error));
  return std::move(m->out);
}

}  // namespace app
