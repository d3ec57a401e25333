// SVG output: real vector shapes and real text (selectable, editable in Inkscape).
#include <cstdio>

#include "core/fonts.hpp"
#include "export/figure_render.hpp"

namespace app {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
  return out;
}

std::string num(float v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", static_cast<double>(v));
  std::string s = b;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string colour(Rgba c) {
  char b[16];
  std::snprintf(b, sizeof b, "#%02x%02x%02x", c.r, c.g, c.b);
  return b;
}

std::string opacity(const char* attr, Rgba c) {
  return c.a == 255 ? std::string() : std::string(" ") + attr + "=\"" + num(static_cast<float>(c.a) / 255.0f) + "\"";
}

}  // namespace

std::string to_svg(const Figure& f) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + std::to_string(f.width) +
       "\" height=\"" + std::to_string(f.height) + "\" viewBox=\"0 0 " + std::to_string(f.width) + " " +
       std::to_string(f.height) + "\">\n";
  s += "<g font-family=\"" + escape(svg_font_family()) + "\">\n";
  if (f.background)
    s += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(f.width) + "\" height=\"" + std::to_string(f.height) +
         "\" fill=\"" + colour(*f.background) + "\"/>\n";
  // Cells are drawn without antialiased seams: crispEdges keeps neighbours flush.
  s += "<g shape-rendering=\"crispEdges\">\n";
  for (const FigureRect& r : f.rects)
    s += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) + "\" height=\"" + num(r.h) +
         "\" fill=\"" + colour(r.fill) + "\"" + opacity("fill-opacity", r.fill) + "/>\n";
  const auto line = [&](const FigureLine& l) {
    s += "<line x1=\"" + num(l.x0) + "\" y1=\"" + num(l.y0) + "\" x2=\"" + num(l.x1) + "\" y2=\"" + num(l.y1) +
         "\" stroke=\"" + colour(l.color) + "\" stroke-width=\"" + num(l.width) + "\"" + opacity("stroke-opacity", l.color) + "/>\n";
  };
  for (const FigureLine& l : f.lines)
    if (l.x0 == l.x1 || l.y0 == l.y1) line(l);
  s += "</g>\n";
  // Slanted lines (curves, the lines view) antialiased, with round ends.
  s += "<g stroke-linecap=\"round\">\n";
  for (const FigureLine& l : f.lines)
    if (l.x0 != l.x1 && l.y0 != l.y1) line(l);
  s += "</g>\n";
  for (const FigureText& t : f.texts) {
    const char* anchor = t.align == TextAlign::Start ? "start" : t.align == TextAlign::Middle ? "middle" : "end";
    s += "<text x=\"" + num(t.x) + "\" y=\"" + num(t.y) + "\" font-size=\"" + num(t.size) + "\" fill=\"" +
         colour(t.color) + "\"" + opacity("fill-opacity", t.color) + " text-anchor=\"" + anchor + "\"";
    if (t.vertical) s += " transform=\"rotate(-90 " + num(t.x) + " " + num(t.y) + ")\"";
    s += ">" + escape(t.text) + "</text>\n";
  }
  s += "</g>\n</svg>\n";
  return s;
}

}  // namespace app
