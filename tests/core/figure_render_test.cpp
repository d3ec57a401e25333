// The Cairo/Pango renderer: every script shapes with a real font, Arabic joins right to left, emoji
// draw in color, PDF renders like the PNG, PNG bands join without a seam, SVG keeps selectable
// text, and a figure too large to encode is refused with its size before anything is drawn.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <pango/pangocairo.h>
#include <stb_image.h>

#include <cstdlib>
#include <filesystem>

#include "core/model_input.hpp"
#include "engine/npy.hpp"
#include "export/export.hpp"
#include "export/figure_layout.hpp"
#include "export/figure_render.hpp"

namespace {

using test_support::TempDir;

struct Pixels {
  int w = 0, h = 0;
  std::vector<unsigned char> rgba;
  const unsigned char* at(int x, int y) const {
    return &rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)) * 4];
  }
};

Pixels decode(const std::string& bytes) {
  Pixels p;
  int channels = 0;
  unsigned char* data = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), &p.w, &p.h, &channels, 4);
  REQUIRE(data != nullptr);
  p.rgba.assign(data, data + static_cast<std::size_t>(p.w) * static_cast<std::size_t>(p.h) * 4);
  stbi_image_free(data);
  return p;
}

int glyph_count(PangoLayout* layout) {
  int glyphs = 0;
  for (GSList* run = pango_layout_get_line_readonly(layout, 0)->runs; run; run = run->next)
    glyphs += static_cast<PangoGlyphItem*>(run->data)->glyphs->num_glyphs;
  return glyphs;
}

// One token drawn large, black on white.
app::Figure token_figure(const std::string& text) {
  app::Figure f;
  f.width = 200;
  f.height = 80;
  f.background = app::Rgba{255, 255, 255, 255};
  f.texts.push_back({10.0f, 55.0f, 40.0f, {0, 0, 0, 255}, text});
  return f;
}

struct Case {
  app::ModelInput input;
  attn::SequenceRun run;
};

Case make_case(const std::string& text, int heads) {
  Case c;
  c.input.text = text;
  c.input.config.n_heads = heads;
  c.input.config.d_model = 16;
  c.run = app::compute_run(c.input, app::resolve_model(c.input));
  return c;
}

}  // namespace

TEST_CASE("tokens in every script shape with an installed font", "[figure]") {
  const app::TextShaper shaper;
  const char* samples[] = {"Attention", "προσοχή", "внимание", "注意力", "注意", "سلام", "שלום", "ध्यान", "🙂"};
  for (const char* s : samples) {
    INFO(s);
    PangoLayout* layout = shaper.layout(s, 20.0f);
    CHECK(pango_layout_get_unknown_glyphs_count(layout) == 0);
    CHECK(shaper.measure(s, 20.0f) > 5.0f);
    const Pixels px = decode(app::encode_figure(token_figure(s), app::ExportFormat::Png, shaper));
    int ink = 0;
    for (int y = 0; y < px.h; ++y)
      for (int x = 0; x < px.w; ++x) ink += px.at(x, y)[0] < 128;
    CHECK(ink > 50);
  }
}

TEST_CASE("an Arabic token is shaped right to left into joined glyphs", "[figure]") {
  const app::TextShaper shaper;
  // س ل ا م: four letters; lam + alef join into one ligature glyph, so shaping gives three.
  PangoLayout* word = shaper.layout("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 20.0f);
  CHECK(glyph_count(word) == 3);
  const PangoGlyphItem* run = static_cast<PangoGlyphItem*>(pango_layout_get_line_readonly(word, 0)->runs->data);
  CHECK(run->item->analysis.level % 2 == 1);  // an odd bidi level: right to left
  // The joined seen form is narrower than the four isolated letters side by side.
  float isolated = 0.0f;
  for (const char* letter : {"\xD8\xB3", "\xD9\x84", "\xD8\xA7", "\xD9\x85"}) isolated += shaper.measure(letter, 20.0f);
  CHECK(shaper.measure("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 20.0f) < isolated);
  // Devanagari: the conjunct ध्या is one cluster, fewer glyphs than code points.
  PangoLayout* hindi = shaper.layout("\xE0\xA4\xA7\xE0\xA5\x8D\xE0\xA4\xAF\xE0\xA4\xBE\xE0\xA4\xA8", 20.0f);
  CHECK(glyph_count(hindi) < 5);
}

TEST_CASE("emoji draw in color where a color emoji font is installed", "[figure]") {
  if (!std::filesystem::exists("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")) {
    WARN("fonts-noto-color-emoji is not installed: emoji draw in outline");
    return;
  }
  const app::TextShaper shaper;
  const Pixels px = decode(app::encode_figure(token_figure("\xF0\x9F\x99\x82"), app::ExportFormat::Png, shaper));
  int colored = 0;  // yellow face: red and green well above blue
  for (int y = 0; y < px.h; ++y)
    for (int x = 0; x < px.w; ++x) colored += px.at(x, y)[0] > 180 && px.at(x, y)[1] > 120 && px.at(x, y)[2] < 90;
  CHECK(colored > 100);
}

TEST_CASE("PDF renders like the PNG and SVG keeps selectable text", "[figure]") {
  const Case c = make_case("The cat sat on the mat \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 2);
  TempDir dir;
  app::ExportRequest r;
  r.kind = app::ExportKind::Head;
  for (app::ExportFormat f : {app::ExportFormat::Png, app::ExportFormat::Pdf, app::ExportFormat::Svg}) {
    r.format = f;
    r.path = (dir.path / ("f." + std::string(app::format_extension(f)))).string();
    app::export_layer(c.run.layer(0), c.input, r);
  }
  const std::string pdf = attn::read_file((dir.path / "f.pdf").string());
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  CHECK(pdf.find("/FontFile") != std::string::npos);  // fonts embedded (subset)
  // 72 dpi: one PDF point per figure pixel.
  const std::string cmd =
      "pdftoppm -r 72 -png -singlefile " + (dir.path / "f.pdf").string() + " " + (dir.path / "pdf").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  const Pixels png = decode(attn::read_file((dir.path / "f.png").string()));
  const Pixels from_pdf = decode(attn::read_file((dir.path / "pdf.png").string()));
  REQUIRE(from_pdf.w == png.w);
  REQUIRE(from_pdf.h == png.h);
  const app::TextShaper shaper;
  const app::Figure fig = app::layout_figure(c.run.layer(0), c.input, app::ExportKind::Head, 0, {}, shaper);
  const std::size_t n = c.run.layer(0).n_tokens();
  for (std::size_t i = 0; i < n * n; ++i) {
    // Near the cell's corner: its centre holds the value's digits, which antialias differently.
    const int x = static_cast<int>(fig.rects[i].x + fig.rects[i].w * 0.15f),
              y = static_cast<int>(fig.rects[i].y + fig.rects[i].h * 0.15f);
    for (int ch = 0; ch < 3; ++ch) CHECK(std::abs(int(png.at(x, y)[ch]) - int(from_pdf.at(x, y)[ch])) <= 3);
  }
  // The PDF's text layer: pdftotext finds the tokens.
  REQUIRE(std::system(("pdftotext " + (dir.path / "f.pdf").string() + " " + (dir.path / "f.txt").string()).c_str()) ==
          0);
  CHECK(attn::read_file((dir.path / "f.txt").string()).find("cat") != std::string::npos);
  const std::string svg = attn::read_file((dir.path / "f.svg").string());
  CHECK(svg.find("id=\"selectable-text\"") != std::string::npos);
  CHECK(svg.find(">cat</text>") != std::string::npos);
}

TEST_CASE("a PNG drawn in bands is the same picture as one drawn whole", "[figure]") {
  const Case c = make_case("one two three four five six seven eight nine ten eleven twelve", 8);
  const app::TextShaper shaper;
  app::FigureOptions o;
  o.scale = 4;  // dozens of 1 MB bands
  const app::Figure f = app::layout_figure(c.run.layer(0), c.input, app::ExportKind::Grid, 0, o, shaper);
  REQUIRE(static_cast<long long>(f.width) * f.height * 4 > 20 * (1 << 20));
  const Pixels banded = decode(app::encode_figure(f, app::ExportFormat::Png, shaper));
  const std::vector<unsigned char> whole = app::render_rgba(f, shaper);
  REQUIRE(banded.rgba.size() == whole.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < whole.size(); ++i) differ += std::abs(int(banded.rgba[i]) - int(whole[i])) > 1;
  CHECK(differ == 0);
}

TEST_CASE("a figure too large to encode is refused with its size and the way out", "[figure]") {
  app::Figure f;
  f.width = 35229;
  f.height = 34800;
  try {
    app::check_figure_size(f, app::ExportFormat::Png);
    FAIL("not refused");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.find("35229 x 34800") != std::string::npos);
    CHECK(what.find("32767") != std::string::npos);
    CHECK(what.find("smaller scale") != std::string::npos);
  }
  f.width = 20000;
  f.height = 20000;  // 400 megapixels: within the side limit, beyond the PNG limit
  CHECK_THROWS_AS(app::check_figure_size(f, app::ExportFormat::Png), std::invalid_argument);
  CHECK_NOTHROW(app::check_figure_size(f, app::ExportFormat::Svg));
  f.width = 4000;
  f.height = 3000;
  CHECK_NOTHROW(app::check_figure_size(f, app::ExportFormat::Png));
}
