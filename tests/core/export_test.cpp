// Exported figures and data: cells carry their value's color, no label leaves the image, SVG
// renders like the PNG, CSV round-trips awkward tokens, and failed writes leave nothing behind.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <stb_image.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/model_input.hpp"
#include "engine/npy.hpp"
#include "export/data_export.hpp"
#include "export/export.hpp"
#include "export/figure_layout.hpp"
#include "export/figure_render.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::TempDir;

struct Case {
  app::ModelInput input;
  attn::SequenceRun run;
};

Case make_case(const std::string& text, int heads, int d_model) {
  Case c;
  c.input.text = text;
  c.input.config.n_heads = heads;
  c.input.config.d_model = d_model;
  c.run = app::compute_run(c.input, app::resolve_model(c.input));
  return c;
}

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> px;
  const unsigned char* at(int x, int y) const {
    return &px[(static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)) * 4];
  }
};

Image decode_png(const std::string& path) {
  const std::string bytes = attn::read_file(path);
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), &img.w, &img.h, &channels, 4);
  REQUIRE(data != nullptr);
  img.px.assign(data, data + static_cast<std::size_t>(img.w) * static_cast<std::size_t>(img.h) * 4);
  stbi_image_free(data);
  return img;
}

// The text's box in the figure, from the same shaped lines the painter draws.
struct Box {
  float x0, y0, x1, y1;
};
Box text_box(const app::FigureText& t, const app::TextShaper& shaper) {
  const float w = shaper.measure(t.text, t.size);
  const float shift = t.align == app::TextAlign::Start ? 0.0f : t.align == app::TextAlign::Middle ? w / 2 : w;
  const float up = shaper.ascent(t.size), down = shaper.descent(t.size);
  if (t.vertical) return {t.x - up, t.y - (w - shift), t.x + down, t.y + shift};
  return {t.x - shift, t.y - up, t.x + (w - shift), t.y + down};
}

void check_inside(const app::Figure& f, const app::TextShaper& shaper) {
  for (const app::FigureText& t : f.texts) {
    const Box b = text_box(t, shaper);
    INFO("label '" << t.text << "' box " << b.x0 << "," << b.y0 << " - " << b.x1 << "," << b.y1 << " in " << f.width
                   << "x" << f.height);
    CHECK(b.x0 >= 0.0f);
    CHECK(b.y0 >= 0.0f);
    CHECK(b.x1 <= static_cast<float>(f.width));
    CHECK(b.y1 <= static_cast<float>(f.height));
  }
}

std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_quotes = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"')
        in_quotes = false;
      else
        field += c;
    } else if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// Well-formedness: balanced tags, quoted attributes, no raw '<' or '&' in text.
bool well_formed_xml(const std::string& s) {
  std::vector<std::string> stack;
  std::size_t i = s.find("<svg");
  if (i == std::string::npos) return false;
  while (i < s.size()) {
    if (s[i] == '<') {
      const std::size_t end = s.find('>', i);
      if (end == std::string::npos) return false;
      std::string tag = s.substr(i + 1, end - i - 1);
      if (tag[0] == '/') {
        if (stack.empty() || stack.back() != tag.substr(1)) return false;
        stack.pop_back();
      } else if (tag.back() != '/') {
        stack.push_back(tag.substr(0, tag.find(' ')));
      }
      if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return false;
      i = end + 1;
    } else {
      if (s[i] == '&' && s.find(';', i) > s.find_first_of(" <", i)) return false;
      ++i;
    }
  }
  return stack.empty();
}

}  // namespace

TEST_CASE("exported PNG cells carry exactly their value's color", "[export]") {
  const Case c = make_case("The cat sat on the mat", 2, 16);
  TempDir dir;
  app::ExportRequest r;
  r.kind = app::ExportKind::Head;
  r.head = 1;
  r.path = (dir.path / "head.png").string();
  app::export_layer(c.run.layer(0), c.input, r);
  const Image img = decode_png(r.path);
  const app::TextShaper shaper;
  const app::Figure f = app::layout_figure(c.run.layer(0), c.input, r.kind, r.head, r.options, shaper);
  REQUIRE(img.w == f.width);
  const std::size_t n = c.run.layer(0).n_tokens();
  const float* w = c.run.layer(0).attn(1);
  const float lo = *std::min_element(w, w + n * n), hi = *std::max_element(w, w + n * n);
  for (std::size_t i = 0; i < n * n; ++i) {  // the first n*n rects are the cells, row by row
    const app::FigureRect& cell = f.rects[i];
    const unsigned char* px =
        img.at(static_cast<int>(cell.x + cell.w * 0.15f), static_cast<int>(cell.y + cell.h * 0.15f));
    const app::Rgb8 want = app::colormap_color(app::Colormap::Viridis, app::normalize(w[i], lo, hi));
    INFO("cell " << i << " value " << w[i]);
    CHECK(int(px[0]) == int(want.r));
    CHECK(int(px[1]) == int(want.g));
    CHECK(int(px[2]) == int(want.b));
  }
}

TEST_CASE("labels stay inside the figure at 1x and 4x, in every kind of figure", "[export]") {
  const Case c =
      make_case("Attention is all you need, they said — 注意力 🙂 supercalifragilisticexpialidocious", 3, 24);
  const app::TextShaper shaper;
  for (int scale : {1, 4})
    for (auto kind : {app::ExportKind::Grid, app::ExportKind::Head, app::ExportKind::Qkv}) {
      app::FigureOptions o;
      o.scale = scale;
      INFO("scale " << scale << " kind " << static_cast<int>(kind));
      const app::Figure f = app::layout_figure(c.run.layer(0), c.input, kind, 1, o, shaper);
      check_inside(f, shaper);
      if (scale == 4) continue;
      const std::vector<unsigned char> px = app::render_rgba(f, shaper);
      // The outermost rows and columns are pure background: nothing drawn touches the edge.
      for (int x = 0; x < f.width; ++x)
        for (int y : {0, f.height - 1})
          REQUIRE(
              px[(static_cast<std::size_t>(y) * static_cast<std::size_t>(f.width) + static_cast<std::size_t>(x)) * 4] ==
              255);
      for (int y = 0; y < f.height; ++y)
        for (int x : {0, f.width - 1})
          REQUIRE(
              px[(static_cast<std::size_t>(y) * static_cast<std::size_t>(f.width) + static_cast<std::size_t>(x)) * 4] ==
              255);
    }
}

TEST_CASE("every attention map carries the axis titles query and key", "[export]") {
  const Case c = make_case("The cat sat on the mat", 4, 16);
  const app::TextShaper shaper;
  for (auto kind : {app::ExportKind::Grid, app::ExportKind::Head}) {
    const app::Figure f = app::layout_figure(c.run.layer(0), c.input, kind, 2, {}, shaper);
    int queries = 0, keys = 0;
    for (const app::FigureText& t : f.texts) {
      if (t.text == "query") CHECK(t.vertical);      // down the rows
      if (t.text == "key") CHECK_FALSE(t.vertical);  // across the columns
      queries += t.text == "query";
      keys += t.text == "key";
    }
    const int maps = kind == app::ExportKind::Grid ? 4 : 1;
    CHECK(queries == maps);
    CHECK(keys == maps);
  }
}

TEST_CASE("a 16-head grid of a 40-token sentence stays legible", "[export]") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "tok" + std::to_string(i) + " ";
  const Case c = make_case(text, 16, 64);
  REQUIRE(c.run.layer(0).n_tokens() == 40);
  const app::TextShaper shaper;
  const app::Figure f = app::layout_figure(c.run.layer(0), c.input, app::ExportKind::Grid, 0, {}, shaper);
  // Head 1's cells come first; every head has as many of the same size.
  const float cell_w = f.rects[0].w, cell_h = f.rects[0].h;
  CHECK(cell_w >= 8.0f);
  CHECK(cell_h >= 8.0f);
  std::size_t cells = 0;
  for (const app::FigureRect& r : f.rects) cells += r.w == cell_w && r.h == cell_h;
  CHECK(cells == 16 * 40 * 40);
  for (const app::FigureText& t : f.texts) REQUIRE(t.size >= 9.0f);
  // Row labels are no taller than the rows they name, so neighbours never overlap.
  const float cell = f.rects[0].h;
  for (const app::FigureText& t : f.texts)
    if (t.text.rfind("tok", 0) == 0) REQUIRE(shaper.ascent(t.size) + shaper.descent(t.size) <= cell * 1.15f);
  check_inside(f, shaper);
}

TEST_CASE("SVG is well-formed XML and renders like the PNG", "[export]") {
  const Case c = make_case("Tokens <with> & \"quotes\", 你好", 2, 16);
  TempDir dir;
  app::ExportRequest r;
  r.kind = app::ExportKind::Head;
  r.format = app::ExportFormat::Svg;
  r.path = (dir.path / "f.svg").string();
  app::export_layer(c.run.layer(0), c.input, r);
  r.format = app::ExportFormat::Png;
  r.path = (dir.path / "f.png").string();
  app::export_layer(c.run.layer(0), c.input, r);
  const std::string svg = attn::read_file((dir.path / "f.svg").string());
  CHECK(well_formed_xml(svg));
  CHECK(svg.find("&lt;with&gt;") != std::string::npos);
  const std::string cmd = "rsvg-convert " + (dir.path / "f.svg").string() + " -o " + (dir.path / "svg.png").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  const Image png = decode_png((dir.path / "f.png").string()), rendered = decode_png((dir.path / "svg.png").string());
  REQUIRE(rendered.w == png.w);
  REQUIRE(rendered.h == png.h);
  const app::TextShaper shaper;
  const app::Figure f = app::layout_figure(c.run.layer(0), c.input, app::ExportKind::Head, 0, {}, shaper);
  const std::size_t n = c.run.layer(0).n_tokens();
  for (std::size_t i = 0; i < n * n; ++i) {
    const int x = static_cast<int>(f.rects[i].x + f.rects[i].w * 0.15f),
              y = static_cast<int>(f.rects[i].y + f.rects[i].h * 0.15f);
    for (int ch = 0; ch < 3; ++ch) CHECK(std::abs(int(png.at(x, y)[ch]) - int(rendered.at(x, y)[ch])) <= 3);
  }
}

TEST_CASE("CSV round-trips tokens with commas, quotes and CJK", "[export]") {
  const Case c = make_case("say \"hi\", 你好 , ok", 2, 8);
  const std::string csv = app::attention_csv(c.run.layer(0), app::ExportKind::Head, 1);
  const auto rows = parse_csv(csv);
  const std::size_t n = c.run.layer(0).n_tokens();
  REQUIRE(rows.size() == n + 1);
  REQUIRE(rows[0].size() == n + 1);
  CHECK(rows[0][0] == "query");
  for (std::size_t j = 0; j < n; ++j) CHECK(rows[0][j + 1] == c.run.layer(0).tokens()[j].text);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(rows[i + 1][0] == c.run.layer(0).tokens()[i].text);
    for (std::size_t j = 0; j < n; ++j) CHECK(std::stof(rows[i + 1][j + 1]) == c.run.layer(0).attn(1, i, j));
  }
  const auto grid = parse_csv(app::attention_csv(c.run.layer(0), app::ExportKind::Grid, 0));
  CHECK(grid.size() == 2 * n + 1);
  CHECK(grid[n + 1][0] == "2");
  const auto qkv = parse_csv(app::attention_csv(c.run.layer(0), app::ExportKind::Qkv, 0));
  CHECK(qkv.size() == 4 * n + 1);
  CHECK(qkv[0].size() == 2 + 4);
  CHECK(app::csv_field("a,b") == "\"a,b\"");
  CHECK(app::csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
}

TEST_CASE("NPY exports have the documented shapes", "[export]") {
  const Case c = make_case("a b c", 2, 8);
  CHECK(attn::npy_decode(app::attention_npy(c.run.layer(0), app::ExportKind::Grid, 0), "g").shape ==
        std::vector<std::size_t>{2, 3, 3});
  CHECK(attn::npy_decode(app::attention_npy(c.run.layer(0), app::ExportKind::Head, 1), "h").shape ==
        std::vector<std::size_t>{3, 3});
  const attn::NpyArray q = attn::npy_decode(app::attention_npy(c.run.layer(0), app::ExportKind::Qkv, 1), "q");
  CHECK(q.shape == std::vector<std::size_t>{3, 3, 4});
  CHECK(q.data[0] == c.run.layer(0).q(1, 0, 0));
}

TEST_CASE("a head that does not exist and an empty sentence are refused", "[export]") {
  const Case c = make_case("a b", 2, 8);
  app::ExportRequest r;
  r.kind = app::ExportKind::Head;
  r.head = 5;
  r.path = "/tmp/never.png";
  CHECK_THROWS_WITH(app::export_layer(c.run.layer(0), c.input, r), "head 6 does not exist (this model has 2 heads)");
  const Case empty = make_case("", 2, 8);
  r.head = 0;
  CHECK_THROWS_WITH(app::export_layer(empty.run.layer(0), empty.input, r), Catch::Contains("no tokens"));
  CHECK_FALSE(fs::exists("/tmp/never.png"));
}

TEST_CASE("exporting into a missing or read-only folder fails cleanly and leaves nothing", "[export]") {
  const Case c = make_case("a b", 1, 8);
  app::ExportRequest r;
  r.path = "/nonexistent-folder/f.png";
  CHECK_THROWS_AS(app::export_layer(c.run.layer(0), c.input, r), attn::FileError);

  TempDir dir;
  const fs::path locked = dir.path / "locked";
  fs::create_directory(locked);
  ::chmod(locked.c_str(), 0555);
  ::chmod(dir.path.c_str(), 0755);
  // Root ignores permissions, so the write is tried as an unprivileged user in a child.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    app::ExportRequest inner = r;
    inner.path = (locked / "f.png").string();
    try {
      app::export_layer(c.run.layer(0), c.input, inner);
    } catch (const attn::FileError& e) {
      _exit(std::string(e.what()).find("Permission denied") != std::string::npos ? 0 : 4);
    }
    _exit(5);  // written: the folder was not read-only after all
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::is_empty(locked));
}

TEST_CASE("formats come from file names", "[export]") {
  CHECK(app::format_from_path("a/b.PNG") == app::ExportFormat::Png);
  CHECK(app::format_from_path("x.svg") == app::ExportFormat::Svg);
  CHECK(app::format_from_path("x.csv") == app::ExportFormat::Csv);
  CHECK(app::format_from_path("x.npy") == app::ExportFormat::Npy);
  CHECK_FALSE(app::format_from_path("x.jpg"));
  CHECK_FALSE(app::format_from_path("dir.d/file"));
}
