// The lines view and the step-through as figures: the SVG parses (rsvg-convert renders it), the
// PNG has the figure's size and the colors that carry the meaning.
#include <catch2/catch.hpp>

#include <stb_image.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/head_colors.hpp"
#include "core/value_range.hpp"
#include "engine/npy.hpp"
#include "export/explain_figures.hpp"
#include "export/export.hpp"
#include "temp_dir.hpp"

namespace {

struct Case {
  app::ModelInput input;
  attn::SequenceRun run;
  attn::MhaWeights weights;
};

Case make_case() {
  Case c;
  c.input.text = "The animal didn't cross the street because it was too tired.";
  c.input.config.n_heads = 4;
  c.input.config.seed = 7;
  const app::ResolvedModel model = app::resolve_model(c.input);
  c.run = app::compute_run(c.input, model);
  c.weights = model.weights;
  return c;
}

struct Png {
  int w = 0, h = 0;
  std::vector<unsigned char> rgba;
  bool has_color(app::Rgb8 c, int tolerance) const {
    for (std::size_t i = 0; i + 3 < rgba.size(); i += 4)
      if (std::abs(rgba[i] - c.r) <= tolerance && std::abs(rgba[i + 1] - c.g) <= tolerance &&
          std::abs(rgba[i + 2] - c.b) <= tolerance)
        return true;
    return false;
  }
};

Png read_png(const std::string& path) {
  Png p;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &p.w, &p.h, &channels, 4);
  REQUIRE(data != nullptr);
  p.rgba.assign(data, data + static_cast<std::size_t>(p.w) * static_cast<std::size_t>(p.h) * 4);
  stbi_image_free(data);
  return p;
}

void write(const Case& c, app::ExportKind kind, int head, int query, app::ExportFormat format,
           const std::string& path) {
  app::ExportRequest r;
  r.kind = kind;
  r.head = head;
  r.query = query;
  r.format = format;
  r.path = path;
  r.projection = {c.weights.out_proj_weight.data(), c.weights.out_proj_bias.data()};
  app::export_layer(c.run.layer(0), c.input, r);
}

bool svg_renders(const std::string& svg, const std::string& png) {
  return std::system(("rsvg-convert " + svg + " -o " + png + " 2>/dev/null").c_str()) == 0 &&
         std::filesystem::file_size(png) > 1000;
}

}  // namespace

TEST_CASE("the lines figure draws every head in its color, as PNG and SVG", "[export][lines]") {
  test_support::TempDir dir;
  const Case c = make_case();
  const std::string png = (dir.path / "lines.png").string(), svg = (dir.path / "lines.svg").string();
  write(c, app::ExportKind::Lines, -1, 0, app::ExportFormat::Png, png);
  write(c, app::ExportKind::Lines, -1, 0, app::ExportFormat::Svg, svg);
  const app::TextShaper shaper;
  const app::Figure f = app::layout_lines_figure(c.run.layer(0), c.input, -1, {}, shaper);
  const Png image = read_png(png);
  CHECK(image.w == f.width);
  CHECK(image.h == f.height);
  for (int h = 0; h < 4; ++h) CHECK(image.has_color(app::head_color(0, h, 4), 2));  // each head's titles and lines
  CHECK(svg_renders(svg, (dir.path / "svg.png").string()));
  CHECK_THROWS_AS(write(c, app::ExportKind::Lines, -1, 0, app::ExportFormat::Csv, (dir.path / "x.csv").string()),
                  std::invalid_argument);
}

TEST_CASE("the step-through figure shows the query's weights as bars in the colormap", "[export][step]") {
  test_support::TempDir dir;
  const Case c = make_case();
  const std::string png = (dir.path / "step.png").string(), svg = (dir.path / "step.svg").string();
  write(c, app::ExportKind::Step, 1, 7, app::ExportFormat::Png, png);
  write(c, app::ExportKind::Step, 1, 7, app::ExportFormat::Svg, svg);
  const Png image = read_png(png);
  // The largest weight's bar has the color of its cell in head 2's heatmap figure (the head's range).
  const std::size_t n = c.run.layer(0).n_tokens();
  const float* head = c.run.layer(0).attn(1);
  const float* row = head + 7 * n;
  const app::ValueRange range = app::value_range(head, n * n, app::RangePolicy::MinMax);
  const float largest = *std::max_element(row, row + n);
  CHECK(
      image.has_color(app::colormap_color(app::Colormap::Viridis, app::normalize(largest, range.low, range.high)), 1));
  CHECK(svg_renders(svg, (dir.path / "svg.png").string()));
  const std::string text = attn::read_file(svg);
  CHECK(text.find("6. Softmax: row maximum") != std::string::npos);
  CHECK(text.find("out = [") != std::string::npos);  // with W_O, step 8 has the output row
  CHECK_THROWS_AS(write(c, app::ExportKind::Step, 1, 40, app::ExportFormat::Png, png), std::invalid_argument);
  CHECK_THROWS_AS(write(c, app::ExportKind::Step, 9, 0, app::ExportFormat::Png, png), std::invalid_argument);
}
