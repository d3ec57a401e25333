// One Pango context per shaper with hinting off, so a label measured at 1x is exactly a quarter of
// its width at 4x and the PNG, SVG and PDF surfaces place every glyph alike.
#include "export/text_shaper.hpp"

#include <pango/pangocairo.h>

#include <cmath>
#include <map>
#include <unordered_map>

#include "engine/file_io.hpp"

namespace app {

namespace {

// Sizes are cached in quarter pixels: finer than any two sizes a figure uses.
int size_key(float size) { return static_cast<int>(std::lround(size * 4.0f)); }

template <typename T>
struct GUnref {
  void operator()(T* p) const { g_object_unref(p); }
};

}  // namespace

struct TextShaper::Impl {
  std::unique_ptr<PangoFontMap, GUnref<PangoFontMap>> map;
  std::unique_ptr<PangoContext, GUnref<PangoContext>> context;
  std::unordered_map<std::string, std::unique_ptr<PangoLayout, GUnref<PangoLayout>>> layouts;
  std::map<int, std::pair<float, float>> metrics;  // size key -> (ascent, descent)

  PangoFontDescription* description(float size) const {
    PangoFontDescription* d = pango_font_description_from_string(family());
    pango_font_description_set_absolute_size(d, static_cast<double>(size) * PANGO_SCALE);
    return d;
  }
};

TextShaper::TextShaper() : m(std::make_unique<Impl>()) {
  m->map.reset(pango_cairo_font_map_new());
  m->context.reset(pango_font_map_create_context(m->map.get()));
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(m->context.get(), options);
  cairo_font_options_destroy(options);
  pango_context_set_round_glyph_positions(m->context.get(), FALSE);
  PangoFontDescription* d = m->description(12.0f);
  PangoFont* font = pango_font_map_load_font(m->map.get(), m->context.get(), d);
  pango_font_description_free(d);
  if (!font)
    throw attn::FileError("no usable font found: install fonts-dejavu-core (DejaVu Sans) for figures with text");
  g_object_unref(font);
}

TextShaper::~TextShaper() = default;

PangoLayout* TextShaper::layout(std::string_view text, float size) const {
  std::string key = std::to_string(size_key(size));
  key += '\n';
  key.append(text);
  auto found = m->layouts.find(key);
  if (found != m->layouts.end()) return found->second.get();
  // A figure is a one-off: the cache lives as long as the shaper, bounded so a long GIF run of
  // changing captions cannot grow it without end.
  if (m->layouts.size() > 50000) m->layouts.clear();
  PangoLayout* layout = pango_layout_new(m->context.get());
  PangoFontDescription* d = m->description(size);
  pango_layout_set_font_description(layout, d);
  pango_font_description_free(d);
  // Pango wants valid UTF-8; a token cut mid-character still draws, with U+FFFD.
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
  } else {
    gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
    pango_layout_set_text(layout, valid, -1);
    g_free(valid);
  }
  pango_layout_set_single_paragraph_mode(layout, TRUE);
  return m->layouts.emplace(std::move(key), layout).first->second.get();
}

float TextShaper::baseline_of(PangoLayout* layout) {
  return static_cast<float>(pango_layout_get_baseline(layout)) / PANGO_SCALE;
}

float TextShaper::measure(std::string_view text, float size) const {
  PangoRectangle logical{};
  pango_layout_get_extents(layout(text, size), nullptr, &logical);
  return static_cast<float>(logical.width) / PANGO_SCALE;
}

float TextShaper::ascent(float size) const {
  const int key = size_key(size);
  auto found = m->metrics.find(key);
  if (found == m->metrics.end()) {
    PangoFontDescription* d = m->description(size);
    PangoFontMetrics* metrics = pango_context_get_metrics(m->context.get(), d, nullptr);
    pango_font_description_free(d);
    const float up = static_cast<float>(pango_font_metrics_get_ascent(metrics)) / PANGO_SCALE;
    const float down = static_cast<float>(pango_font_metrics_get_descent(metrics)) / PANGO_SCALE;
    pango_font_metrics_unref(metrics);
    found = m->metrics.emplace(key, std::make_pair(up, down)).first;
  }
  return found->second.first;
}

float TextShaper::descent(float size) const {
  ascent(size);  // fills the cache
  return m->metrics.at(size_key(size)).second;
}

}  // namespace app
