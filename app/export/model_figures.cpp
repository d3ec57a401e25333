// The model view as layer blocks of the explorer's grid figure, the curves as lines, and the GIF
// through giflib.
#include "export/model_figures.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/head_colours.hpp"
#include "core/model_run.hpp"
#include "export/figure_layout.hpp"
#include "export/figure_render.hpp"

namespace app {

namespace {

Rgba rgba(Rgb8 c) { return {c.r, c.g, c.b, 255}; }

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

Figure layout_model_figure(const std::vector<attn::Trace>& layers, const std::string& text, const std::string& caption,
                           const FigureOptions& options, const TextShaper& shaper) {
  if (layers.empty()) throw std::invalid_argument("there is no model to draw");
  Figure figure;
  float y = 0.0f;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    ModelInput input;
    input.text = text;
    input.config = layers[l].config;
    FigureOptions o = options;
    o.caption = "Layer " + std::to_string(l + 1) + " of " + std::to_string(layers.size()) + " \xC2\xB7 " + caption;
    const Figure part = layout_figure(layers[l], input, ExportKind::Grid, 0, o, shaper);
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
        const Rgba colour = rgba(head_colour(l, h, n_heads));
        const std::size_t k = static_cast<std::size_t>(l * n_heads + h);
        const float width = (l == best.layer && h == best.head ? 2.4f : 1.2f) * s;
        for (std::size_t i = 1; i < curve.size(); ++i) {
          const auto& sa = curve[i - 1]->detectors.score[static_cast<int>(det)];
          const auto& sb = curve[i]->detectors.score[static_cast<int>(det)];
          if (sa.size() <= k || sb.size() <= k) continue;
          const auto [x0, y0] = pt(static_cast<float>(curve[i - 1]->step), sa[k], 1.0f);
          const auto [x1, y1] = pt(static_cast<float>(curve[i]->step), sb[k], 1.0f);
          f.lines.push_back({x0, y0, x1, y1, width, colour});
        }
      }
  }
  // The legend: each head's colour, as in the window.
  float lx = margin;
  const float ly = top + panel_h + small * 3.0f;
  for (int l = 0; l < n_layers; ++l)
    for (int h = 0; h < n_heads; ++h) {
      if (lx > static_cast<float>(f.width) - 60.0f * s) break;
      f.rects.push_back({lx, ly - small * 0.8f, small * 1.4f, small * 0.8f, rgba(head_colour(l, h, n_heads))});
      const std::string label = "L" + std::to_string(l + 1) + "H" + std::to_string(h + 1);
      f.texts.push_back({lx + small * 1.7f, ly, small, c.dim, label});
      lx += small * 1.7f + shaper.measure(label, small) + small * 1.2f;
    }
  return f;
}

std::string model_movie_gif(const attn::Checkpoint& spec, const std::vector<ParamsAtStep>& snapshots,
                            const std::vector<std::shared_ptr<const CurvePoint>>& curve, const std::string& text,
                            const FigureOptions& options, int max_frames) {
  if (snapshots.empty()) throw std::invalid_argument("the run has no snapshots to animate");
  std::vector<std::size_t> picked;
  const std::size_t count = std::min<std::size_t>(snapshots.size(), static_cast<std::size_t>(std::max(max_frames, 2)));
  for (std::size_t i = 0; i < count; ++i) picked.push_back(i * (snapshots.size() - 1) / std::max<std::size_t>(count - 1, 1));
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  const TextShaper shaper;
  std::vector<std::vector<unsigned char>> frames;
  int width = 0, height = 0;
  for (std::size_t i : picked) {
    const ParamsAtStep& snapshot = snapshots[i];
    attn::Model model = spec.model;
    model.params = *snapshot.params;
    const ModelRun run = run_model(model, spec, text);
    std::vector<attn::Trace> layers;
    for (int l = 0; l < model.arch.n_layers; ++l) layers.push_back(run.layer(model, l));
    std::string caption = "step " + std::to_string(snapshot.step);
    const CurvePoint* point = nullptr;
    for (const auto& p : curve)
      if (p->step <= snapshot.step) point = p.get();
    if (point) {
      char loss[48];
      std::snprintf(loss, sizeof loss, " \xC2\xB7 loss %.3f", static_cast<double>(point->loss));
      caption += loss;
      for (attn::Detector d : point->detectors.reported) {
        const attn::HeadScore best = point->detectors.best(d);
        char line[80];
        std::snprintf(line, sizeof line, " \xC2\xB7 %s %.2f (L%dH%d)", std::string(attn::to_string(d)).c_str(),
                      static_cast<double>(best.score), best.layer + 1, best.head + 1);
        caption += line;
        break;  // the task's own detector comes first
      }
    }
    FigureOptions o = options;
    o.show_values = false;
    const Figure figure = layout_model_figure(layers, text, caption, o, shaper);
    if (frames.empty()) {
      width = figure.width;
      height = figure.height;
    }
    if (figure.width != width || figure.height != height) continue;  // a label changed the size: skip
    frames.push_back(render_rgba(figure, shaper));
  }
  return encode_gif(frames, width, height, 25);
}

namespace {

int write_to_string(GifFileType* gif, const GifByteType* bytes, int n) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(n));
  return n;
}

}  // namespace

std::string encode_gif(const std::vector<std::vector<unsigned char>>& frames, int width, int height, int delay_cs) {
  if (frames.empty() || width <= 0 || height <= 0 || width > 65535 || height > 65535)
    throw std::invalid_argument("a GIF needs at least one frame of at most 65535 x 65535 pixels");
  std::string out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, write_to_string, &error);
  if (!gif) throw std::runtime_error(std::string("cannot start a GIF: ") + GifErrorString(error));
  struct Closer {
    GifFileType*& g;
    ~Closer() {
      if (g) EGifCloseFile(g, nullptr);
    }
  } closer{gif};
  const auto fail = [&](const char* what) {
    throw std::runtime_error(std::string("GIF ") + what + ": " + GifErrorString(gif->Error));
  };
  EGifSetGifVersion(gif, true);
  if (EGifPutScreenDesc(gif, width, height, 8, 0, nullptr) == GIF_ERROR) fail("screen");
  // NETSCAPE2.0: loop for ever, so a slide plays the run again and again.
  const unsigned char loop[] = {1, 0, 0};
  if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR || EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR ||
      EGifPutExtensionTrailer(gif) == GIF_ERROR)
    fail("loop");
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  std::vector<GifByteType> red(n), green(n), blue(n), indices(n);
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const std::vector<unsigned char>& rgba = frames[f];
    if (rgba.size() != n * 4) throw std::invalid_argument("GIF frames must all be the same size");
    for (std::size_t i = 0; i < n; ++i) {
      red[i] = rgba[i * 4];
      green[i] = rgba[i * 4 + 1];
      blue[i] = rgba[i * 4 + 2];
    }
    int colours = 256;
    GifColorType palette[256];
    if (GifQuantizeBuffer(static_cast<unsigned>(width), static_cast<unsigned>(height), &colours, red.data(), green.data(),
                          blue.data(), indices.data(), palette) == GIF_ERROR)
      fail("palette");
    ColorMapObject* map = GifMakeMapObject(256, palette);
    GraphicsControlBlock gcb{};
    gcb.DelayTime = f + 1 == frames.size() ? delay_cs * 3 : delay_cs;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType extension[4];
    EGifGCBToExtension(&gcb, extension);
    const bool ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, extension) != GIF_ERROR &&
                    EGifPutImageDesc(gif, 0, 0, width, height, false, map) != GIF_ERROR;
    GifFreeMapObject(map);
    if (!ok) fail("frame");
    for (int y = 0; y < height; ++y)
      if (EGifPutLine(gif, indices.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width), width) == GIF_ERROR)
        fail("pixels");
  }
  GifFileType* done = gif;
  gif = nullptr;  // closed here, not again by the guard
  if (EGifCloseFile(done, &error) == GIF_ERROR) throw std::runtime_error(std::string("GIF end: ") + GifErrorString(error));
  return out;
}

}  // namespace app
