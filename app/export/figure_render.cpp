// The Cairo painter: rectangles, lines and Pango text in the figure's pixel units (1 px = 1 pt in
// SVG and PDF). PNG is painted band by band, each band only with the items that reach into it.
#include "export/figure_render.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "export/export_cancel.hpp"
#include "export/png_encode.hpp"

namespace app {

namespace {

struct Box {
  float x0, y0, x1, y1;
  bool meets(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

const char* format_name(ExportFormat f) {
  return f == ExportFormat::Png ? "PNG" : f == ExportFormat::Svg ? "SVG" : "PDF";
}

class Painter {
 public:
  Painter(const Figure& figure, const TextShaper& shaper) : m_fig(figure), m_shaper(shaper) {
    // Text boxes once per figure, generously: glyphs may overhang their advance by a fraction
    // of the size (italics, diacritics, emoji).
    m_text_boxes.reserve(figure.texts.size());
    m_text_starts.reserve(figure.texts.size());
    for (const FigureText& t : figure.texts) {
      if (m_text_starts.size() % 256 == 255) throw_if_export_cancelled();
      const float w = shaper.measure(t.text, t.size), pad = t.size;
      const float start = t.align == TextAlign::Start ? 0.0f : t.align == TextAlign::Middle ? -w * 0.5f : -w;
      m_text_starts.push_back(start);
      const float along0 = start - pad, along1 = start + w + pad, up = t.size * 1.5f, down = t.size;
      m_text_boxes.push_back(t.vertical ? Box{t.x - up, t.y - along1, t.x + down, t.y - along0}
                                        : Box{t.x + along0, t.y - up, t.x + along1, t.y + down});
    }
  }

  // Everything that reaches into `clip`, in the display list's order: rects, lines, then text.
  void paint(cairo_t* cr, const Box& clip) const {
    if (m_fig.background) {
      set_color(cr, *m_fig.background);
      cairo_paint(cr);
    }
    std::size_t drawn = 0;
    for (const FigureRect& r : m_fig.rects) {
      if (++drawn % 4096 == 0) throw_if_export_cancelled();
      if (!Box{r.x, r.y, r.x + r.w, r.y + r.h}.meets(clip)) continue;
      set_color(cr, r.fill);
      cairo_rectangle(cr, r.x, r.y, r.w, r.h);
      cairo_fill(cr);
    }
    for (const FigureLine& l : m_fig.lines) {
      if (++drawn % 4096 == 0) throw_if_export_cancelled();
      const float h = l.width;
      if (!Box{std::min(l.x0, l.x1) - h, std::min(l.y0, l.y1) - h, std::max(l.x0, l.x1) + h, std::max(l.y0, l.y1) + h}
               .meets(clip))
        continue;
      // Grid lines and ticks end square, like the cells they frame; slanted lines (curves, the
      // lines view) end round so their joins look continuous.
      const bool slanted = l.x0 != l.x1 && l.y0 != l.y1;
      cairo_set_line_cap(cr, slanted ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
      cairo_set_line_width(cr, l.width);
      set_color(cr, l.color);
      cairo_move_to(cr, l.x0, l.y0);
      cairo_line_to(cr, l.x1, l.y1);
      cairo_stroke(cr);
    }
    for (std::size_t i = 0; i < m_fig.texts.size(); ++i) {
      if (++drawn % 256 == 0) throw_if_export_cancelled();
      if (!m_text_boxes[i].meets(clip)) continue;
      const FigureText& t = m_fig.texts[i];
      PangoLayout* layout = m_shaper.layout(t.text, t.size);
      cairo_save(cr);
      cairo_translate(cr, t.x, t.y);
      if (t.vertical) cairo_rotate(cr, -M_PI / 2);
      cairo_move_to(cr, m_text_starts[i], -TextShaper::baseline_of(layout));
      set_color(cr, t.color);
      pango_cairo_show_layout(cr, layout);
      cairo_restore(cr);
    }
  }

 private:
  static void set_color(cairo_t* cr, Rgba c) {
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0);
  }

  const Figure& m_fig;
  const TextShaper& m_shaper;
  std::vector<Box> m_text_boxes;
  std::vector<float> m_text_starts;  // where each run starts, from its anchor along the run
};

struct SurfaceCloser {
  cairo_surface_t* s;
  ~SurfaceCloser() { cairo_surface_destroy(s); }
};

void check_status(cairo_status_t status, ExportFormat format) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string(format_name(format)) + " drawing failed: " + cairo_status_to_string(status));
}

// Cairo's ARGB32 (premultiplied, native-endian words) and RGB24 rows -> straight RGBA or RGB bytes.
void unpack_row(const unsigned char* src, int width, bool alpha, unsigned char* dst) {
  const auto* px = reinterpret_cast<const std::uint32_t*>(src);
  for (int x = 0; x < width; ++x) {
    const std::uint32_t p = px[x];
    unsigned r = (p >> 16) & 255u, g = (p >> 8) & 255u, b = p & 255u;
    if (!alpha) {
      *dst++ = static_cast<unsigned char>(r);
      *dst++ = static_cast<unsigned char>(g);
      *dst++ = static_cast<unsigned char>(b);
      continue;
    }
    const unsigned a = p >> 24;
    if (a != 0 && a != 255) {
      r = (r * 255u + a / 2) / a;
      g = (g * 255u + a / 2) / a;
      b = (b * 255u + a / 2) / a;
    }
    *dst++ = static_cast<unsigned char>(std::min(r, 255u));
    *dst++ = static_cast<unsigned char>(std::min(g, 255u));
    *dst++ = static_cast<unsigned char>(std::min(b, 255u));
    *dst++ = static_cast<unsigned char>(a);
  }
}

// Paints rows [y0, y0 + rows) of the figure into `surface` (its height at least `rows`).
void paint_band(cairo_surface_t* surface, const Painter& painter, int width, int y0, int rows) {
  cairo_t* cr = cairo_create(surface);
  cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
  cairo_paint(cr);
  cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
  cairo_translate(cr, 0, -y0);
  painter.paint(cr, {0.0f, static_cast<float>(y0), static_cast<float>(width), static_cast<float>(y0 + rows)});
  const cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  check_status(status, ExportFormat::Png);
}

std::string encode_png(const Figure& f, const TextShaper& shaper) {
  const bool alpha = !f.background || f.background->a != 255;
  // Bands of about 1 MB: the painter skips what a band does not reach, so even a hundred bands
  // cost little, and memory stays the same at every scale.
  const int band = std::clamp(static_cast<int>((1 << 20) / (static_cast<long long>(f.width) * 4)), 16, f.height);
  cairo_surface_t* surface =
      cairo_image_surface_create(alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24, f.width, band);
  SurfaceCloser closer{surface};
  check_status(cairo_surface_status(surface), ExportFormat::Png);
  const Painter painter(f, shaper);
  PngWriter png(f.width, f.height, alpha ? PngWriter::Channels::Rgba : PngWriter::Channels::Rgb);
  std::vector<unsigned char> row(static_cast<std::size_t>(f.width) * (alpha ? 4 : 3));
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y0 = 0; y0 < f.height; y0 += band) {
    throw_if_export_cancelled();
    const int rows = std::min(band, f.height - y0);
    paint_band(surface, painter, f.width, y0, rows);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    for (int y = 0; y < rows; ++y) {
      unpack_row(data + static_cast<std::ptrdiff_t>(y) * stride, f.width, alpha, row.data());
      png.write_row(row.data());
    }
  }
  return png.finish();
}

cairo_status_t append_bytes(void* out, const unsigned char* data, unsigned int length) {
  // Cairo writes most of a large SVG or PDF while finishing the surface: a cancel stops it here.
  if (export_cancelled()) return CAIRO_STATUS_WRITE_ERROR;
  static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;  // XML 1.0 has no control characters
    }
  }
  return out;
}

// Real <text> over Cairo's glyph outlines, transparent: the words can be selected, searched and
// copied, while what is seen stays the exactly shaped outlines.
std::string selectable_text_layer(const Figure& f) {
  std::string s = "<g id=\"selectable-text\" fill-opacity=\"0\" font-family=\"";
  s += TextShaper::family();
  s += ", sans-serif\">\n";
  char head[160];
  for (const FigureText& t : f.texts) {
    const char* anchor = t.align == TextAlign::Start ? "start" : t.align == TextAlign::Middle ? "middle" : "end";
    std::snprintf(head, sizeof head, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\" text-anchor=\"%s\"",
                  static_cast<double>(t.x), static_cast<double>(t.y), static_cast<double>(t.size), anchor);
    s += head;
    if (t.vertical) {
      std::snprintf(head, sizeof head, " transform=\"rotate(-90 %.2f %.2f)\"", static_cast<double>(t.x),
                    static_cast<double>(t.y));
      s += head;
    }
    s += ">" + xml_escape(t.text) + "</text>\n";
  }
  return s + "</g>\n";
}

std::string encode_vector(const Figure& f, ExportFormat format, const TextShaper& shaper) {
  std::string out;
  cairo_surface_t* surface = format == ExportFormat::Svg
                                 ? cairo_svg_surface_create_for_stream(append_bytes, &out, f.width, f.height)
                                 : cairo_pdf_surface_create_for_stream(append_bytes, &out, f.width, f.height);
  SurfaceCloser closer{surface};
  check_status(cairo_surface_status(surface), format);
  if (format == ExportFormat::Svg) {
    cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
  } else {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, f.title.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Attention Lab " ATTN_VERSION);
  }
  cairo_t* cr = cairo_create(surface);
  Painter(f, shaper).paint(cr, {0.0f, 0.0f, static_cast<float>(f.width), static_cast<float>(f.height)});
  const cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  check_status(status, format);
  cairo_surface_finish(surface);
  throw_if_export_cancelled();  // before the write error it caused is reported as a failure
  check_status(cairo_surface_status(surface), format);
  if (format == ExportFormat::Svg) {
    const std::size_t end = out.rfind("</svg>");
    if (end == std::string::npos) throw std::runtime_error("SVG drawing failed: Cairo wrote no document end");
    out.insert(end, selectable_text_layer(f));
  }
  return out;
}

}  // namespace

void check_figure_size(const Figure& f, ExportFormat format) {
  const long long pixels = static_cast<long long>(f.width) * f.height;
  const bool too_wide = f.width > kMaxFigureSide || f.height > kMaxFigureSide;
  if (f.width <= 0 || f.height <= 0) throw std::invalid_argument("the figure is empty");
  if (!too_wide && (format != ExportFormat::Png || pixels <= kMaxFigurePixels)) return;
  char message[400];
  std::snprintf(message, sizeof message,
                "the figure would be %d x %d pixels; %s figures are limited to %d pixels a side%s: choose a smaller "
                "scale, fewer heads (one head: --what head:N) or a shorter sentence",
                f.width, f.height, format_name(format), kMaxFigureSide,
                format == ExportFormat::Png ? " and 256 megapixels" : "");
  throw std::invalid_argument(message);
}

std::string encode_figure(const Figure& figure, ExportFormat format, const TextShaper& shaper) {
  if (!is_figure_format(format)) throw std::invalid_argument("this figure is a picture: PNG, SVG or PDF, not data");
  check_figure_size(figure, format);
  return format == ExportFormat::Png ? encode_png(figure, shaper) : encode_vector(figure, format, shaper);
}

std::vector<unsigned char> render_rgba(const Figure& f, const TextShaper& shaper) {
  check_figure_size(f, ExportFormat::Png);
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, f.width, f.height);
  SurfaceCloser closer{surface};
  check_status(cairo_surface_status(surface), ExportFormat::Png);
  paint_band(surface, Painter(f, shaper), f.width, 0, f.height);
  std::vector<unsigned char> rgba(static_cast<std::size_t>(f.width) * static_cast<std::size_t>(f.height) * 4);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < f.height; ++y)
    unpack_row(data + static_cast<std::ptrdiff_t>(y) * stride, f.width, true,
               &rgba[static_cast<std::size_t>(y) * static_cast<std::size_t>(f.width) * 4]);
  return rgba;
}

}  // namespace app
