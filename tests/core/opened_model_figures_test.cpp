// The opened model's figures (overview, which heads matter, predictions): every head drawn and
// labelled, the letters where the scores say, the values in every cell, bars to scale, nothing
// outside the figure, and the files the command line writes equal to the library's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "cli_run.hpp"
#include "core/detector_notes.hpp"
#include "core/model_host.hpp"
#include "core/model_input.hpp"
#include "engine/npy.hpp"
#include "engine/text/token_text.hpp"
#include "export/figure_builder.hpp"
#include "export/figure_render.hpp"
#include "export/opened_model_figures.hpp"
#include "temp_dir.hpp"

namespace {

const std::string kFolder = std::string(ATTN_TEST_DATA_DIR) + "/engine/gpt2/f32_prefixed_tied";  // 2 layers x 4 heads
const std::string kEnglish = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/english.npz";

bool has_text(const app::Figure& f, const std::string& text) {
  return std::any_of(f.texts.begin(), f.texts.end(), [&](const app::FigureText& t) { return t.text == text; });
}
int count_text(const app::Figure& f, const std::string& text) {
  return static_cast<int>(
      std::count_if(f.texts.begin(), f.texts.end(), [&](const app::FigureText& t) { return t.text == text; }));
}
bool any_text_contains(const app::Figure& f, const std::string& part) {
  return std::any_of(f.texts.begin(), f.texts.end(),
                     [&](const app::FigureText& t) { return t.text.find(part) != std::string::npos; });
}

// Every text's box (from the shaper's own measure) inside the figure.
void check_inside(const app::Figure& f, const app::TextShaper& shaper) {
  for (const app::FigureText& t : f.texts) {
    const float w = shaper.measure(t.text, t.size);
    const float shift = t.align == app::TextAlign::Start ? 0.0f : t.align == app::TextAlign::Middle ? w / 2 : w;
    const float up = shaper.ascent(t.size), down = shaper.descent(t.size);
    float x0 = t.x - shift, x1 = t.x + w - shift, y0 = t.y - up, y1 = t.y + down;
    if (t.vertical) x0 = t.x - up, x1 = t.x + down, y0 = t.y - (w - shift), y1 = t.y + shift;
    INFO("text '" << t.text << "' at " << x0 << "," << y0 << " - " << x1 << "," << y1 << " in " << f.width << "x"
                  << f.height);
    CHECK(x0 >= 0.0f);
    CHECK(y0 >= 0.0f);
    CHECK(x1 <= static_cast<float>(f.width));
    CHECK(y1 <= static_cast<float>(f.height));
  }
  for (const app::FigureRect& r : f.rects) {
    CHECK(r.x >= 0.0f);
    CHECK(r.y >= 0.0f);
    CHECK(r.x + r.w <= static_cast<float>(f.width) + 0.01f);
    CHECK(r.y + r.h <= static_cast<float>(f.height) + 0.01f);
  }
}

// A GPT-2-small-shaped result without a 500 MB model: 12 layers, each the explorer's 12-head
// layer of `text` under its own seed, with detector scores set by hand.
app::ModelResult synthetic_result(const std::string& text, int layers, int heads) {
  app::ModelInput input;
  input.text = text;
  input.config.n_heads = heads;
  input.config.d_model = heads * 2;
  input.config.causal = true;
  app::ModelResult r;
  r.text = text;
  for (int l = 0; l < layers; ++l) {
    input.config.seed = static_cast<std::uint64_t>(l + 1);
    attn::SequenceRun layer = app::compute_run(input, app::resolve_model(input));
    if (l == 0) {
      static_cast<attn::SequenceRun&>(r.run) = std::move(layer);
      continue;
    }
    r.run.acts.layers.push_back(std::move(layer.acts.layers[0]));
    ++r.run.arch.n_layers;
  }
  r.detectors.n_layers = layers;
  r.detectors.n_heads = heads;
  r.detectors.reported = {attn::Detector::PreviousToken, attn::Detector::Self};
  // Every head a little self (0.2), less previous-token (0.1): the strongest is self unless a test says otherwise.
  for (const attn::Detector d : r.detectors.reported)
    r.detectors.score[static_cast<std::size_t>(d)].assign(static_cast<std::size_t>(layers * heads),
                                                          d == attn::Detector::Self ? 0.2f : 0.1f);
  return r;
}

}  // namespace

TEST_CASE("the overview draws every one of 144 heads with layer and head labels and one color bar",
          "[export][opened]") {
  app::ModelResult r = synthetic_result("The cat sat on the mat and the cat sat", 12, 12);
  // Layer 3 head 5 copies the previous token; layer 7 head 2 attends to itself but below the mark.
  auto& prev = r.detectors.score[static_cast<std::size_t>(attn::Detector::PreviousToken)];
  auto& self = r.detectors.score[static_cast<std::size_t>(attn::Detector::Self)];
  prev[2 * 12 + 4] = 0.9f;
  self[6 * 12 + 1] = app::kOverviewMarkScore - 0.01f;
  self[11 * 12 + 11] = 0.7f;
  const app::TextShaper shaper;
  const app::Figure f = app::layout_overview_figure(r, "GPT-2 small, random weights", {}, shaper);
  for (int i = 1; i <= 12; ++i) {
    CHECK(count_text(f, "L" + std::to_string(i)) == 1);
    CHECK(count_text(f, "H" + std::to_string(i)) == 1);
  }
  CHECK(count_text(f, "P") == 1);  // only the heads at or over the mark, each with its letter
  CHECK(count_text(f, "S") == 1);
  CHECK(any_text_contains(f, "P previous-token"));  // the legend
  CHECK(any_text_contains(f, "S self"));
  CHECK(has_text(f, "weight / head's largest"));
  const std::size_t n = r.run.n_tokens();
  // Every head's cells: 144 thumbnails of n x n, all of one size.
  std::set<std::pair<float, float>> sizes;
  std::size_t cells = 0;
  for (const app::FigureRect& rect : f.rects)
    if (rect.w == rect.h && rect.w >= 1.0f && rect.w < 20.0f && rect.fill.a == 255) {
      sizes.insert({rect.w, rect.h});
      ++cells;
    }
  CHECK(cells == 144 * n * n);
  CHECK(sizes.size() == 1);
  CHECK(any_text_contains(f, "Every layer and head"));
  CHECK(any_text_contains(f, "GPT-2 small, random weights"));
  check_inside(f, shaper);
  for (int scale : {1, 2}) {
    app::FigureOptions o;
    o.scale = scale;
    CHECK_NOTHROW(app::check_figure_size(app::layout_overview_figure(r, "x", o, shaper), app::ExportFormat::Png));
  }
}

TEST_CASE("the overview puts the tokens on the axes when they fit and lists them otherwise", "[export][opened]") {
  const app::TextShaper shaper;
  const app::ModelResult small = synthetic_result("The cat sat", 2, 4);
  const app::Figure labelled = app::layout_overview_figure(small, "c", {}, shaper);
  // Each token left of each layer's rows and above each head's columns.
  for (const attn::Token& t : small.run.tokens()) {
    const std::string label = attn::token_text(t.text);
    CHECK(count_text(labelled, label) == 2 + 4);
  }
  CHECK_FALSE(any_text_contains(labelled, "3 tokens:"));
  check_inside(labelled, shaper);

  std::string long_text;
  for (int i = 0; i < 60; ++i) long_text += "w" + std::to_string(i) + " ";
  const app::ModelResult many = synthetic_result(long_text, 12, 12);
  const std::size_t n = many.run.n_tokens();
  REQUIRE(n > 48);
  const app::Figure listed = app::layout_overview_figure(many, "c", {}, shaper);
  CHECK(any_text_contains(listed, std::to_string(n) + " tokens"));  // the note
  CHECK(any_text_contains(listed, "the mean over about 2 x 2"));
  CHECK(count_text(listed, "w0") <= 1);  // in the list, not on the axes
  check_inside(listed, shaper);
}

TEST_CASE("the overview's thumbnails carry the weights' colors on the window's range", "[export][opened]") {
  const app::ModelResult r = synthetic_result("a b c d", 1, 2);
  const app::TextShaper shaper;
  for (const bool per_head : {true, false}) {
    app::FigureOptions o;
    o.per_head_range = per_head;
    const app::Figure f = app::layout_overview_figure(r, "c", o, shaper);
    const attn::LayerView t = r.run.layer(0);
    const std::size_t n = t.n_tokens();
    std::vector<app::FigureRect> cells;
    for (const app::FigureRect& rect : f.rects)
      if (rect.w == rect.h && rect.fill.a == 255 && rect.w < 60.0f) cells.push_back(rect);
    REQUIRE(cells.size() == 2 * n * n);
    for (std::size_t h = 0; h < 2; ++h) {
      const float* a = t.attn(h);
      const float high = per_head ? *std::max_element(a, a + n * n) : 1.0f;
      for (std::size_t i = 0; i < n * n; ++i) {
        const app::Rgb8 want = app::colormap_color(o.colormap, app::normalize(a[i], 0.0f, high));
        const app::Rgba got = cells[h * n * n + i].fill;
        CHECK(int(got.r) == int(want.r));
        CHECK(int(got.g) == int(want.g));
        CHECK(int(got.b) == int(want.b));
      }
    }
  }
}

TEST_CASE("the importance figure writes every value and centres its color bar on 0", "[export][opened]") {
  app::ModelResult r = synthetic_result("The cat sat", 3, 4);
  r.detectors.score[static_cast<std::size_t>(attn::Detector::PreviousToken)][5] = 0.83f;
  app::HeadImportance imp;
  imp.of = &r;
  imp.target = 7;
  imp.base_logprob = -1.25f;
  imp.total = imp.done = 12;
  for (int i = 0; i < 12; ++i) imp.delta.push_back(static_cast<float>(i - 8) * 0.25f);  // -2.00 .. 0.75
  const app::TextShaper shaper;
  const app::Figure f =
      app::layout_importance_figure(r, imp, "\xE2\x80\x9C\xE2\x90\xA3mat\xE2\x80\x9D", "caption", {}, shaper);
  for (const float d : imp.delta) CHECK(has_text(f, app::figure_kit::fmt(d, 2)));
  CHECK(has_text(f, "-2.00"));  // the bar's ends: -max|delta| .. +max|delta|, 0 in the middle
  CHECK(has_text(f, "2.00"));
  CHECK(has_text(f, "0.00"));
  CHECK(any_text_contains(f, "log p(\xE2\x80\x9C\xE2\x90\xA3mat\xE2\x80\x9D) after the sentence"));
  CHECK(any_text_contains(f, "base log p = -1.250 (p = 28.7%)"));
  CHECK(has_text(f, "P 0.83"));  // layer 2 head 2's strongest pattern, beside the map
  CHECK(count_text(f, "S 0.20") == 11);
  // 0 is the diverging map's middle: a change of 0 is drawn in its centre color.
  const app::Rgb8 mid = app::colormap_color(app::Colormap::Diverging, 0.5f);
  bool zero_cell = false;
  for (const app::FigureRect& rect : f.rects)
    zero_cell |= rect.fill.r == mid.r && rect.fill.g == mid.g && rect.fill.b == mid.b && rect.w > 20.0f;
  CHECK(zero_cell);
  check_inside(f, shaper);
  imp.done = 8;
  CHECK_THROWS_AS(app::layout_importance_figure(r, imp, "x", "c", {}, shaper), std::invalid_argument);
}

TEST_CASE("the predictions figure draws each token's bar in proportion and names the position", "[export][opened]") {
  const auto model = app::open_model_path(kFolder);
  const app::ModelResult r = app::compute_model_result(*model, "The cat sat");
  const std::vector<app::Prediction> top = {{"\xE2\x90\xA3mat", 3, 0.4f}, {"\xE2\x90\xA3hat", 4, 0.2f}, {",", 5, 0.1f}};
  const app::TextShaper shaper;
  const app::Figure f = app::layout_predictions_figure(r, 1, top, "caption", {}, shaper);
  const std::string second = attn::token_text(r.run.tokens()[1].text);
  CHECK(any_text_contains(f, "Next token after \xE2\x80\x9C" + second + "\xE2\x80\x9D (token 2 of " +
                                 std::to_string(r.run.n_tokens()) + ")"));
  CHECK(has_text(f, "\xE2\x90\xA3mat"));
  CHECK(has_text(f, "40.0%"));
  CHECK(has_text(f, "20.0%"));
  CHECK(has_text(f, "10.0%"));
  CHECK(has_text(f, "50%"));  // the scale: the round probability above the first
  std::vector<float> widths;
  for (const app::FigureRect& rect : f.rects) widths.push_back(rect.w);
  REQUIRE(widths.size() == 3);
  CHECK(widths[0] == Approx(2.0f * widths[1]));
  CHECK(widths[1] == Approx(2.0f * widths[2]));
  check_inside(f, shaper);
  CHECK_THROWS_AS(app::layout_predictions_figure(r, 1, {}, "c", {}, shaper), std::invalid_argument);
}

TEST_CASE("the opened model's figures of a GPT-2 folder and the English lesson stay inside at 1x and 4x",
          "[export][opened]") {
  const app::TextShaper shaper;
  for (const std::string& path : {kFolder, kEnglish}) {
    const auto model = app::open_model_path(path);
    for (const app::ModelFigure what :
         {app::ModelFigure::Overview, app::ModelFigure::Importance, app::ModelFigure::Predictions})
      for (const int scale : {1, 4}) {
        INFO(path << " " << app::model_figure_part_name(what) << " scale " << scale);
        app::ModelFigureRequest request;
        request.what = what;
        app::FigureOptions o;
        o.scale = scale;
        const app::Figure f = app::opened_model_figure(*model, "The cat sat on the mat. The cat", request, o, shaper);
        CHECK(any_text_contains(f, model->caption.substr(0, 12)));
        CHECK(any_text_contains(f, "The cat sat on the mat. The cat"));
        check_inside(f, shaper);
      }
  }
}

TEST_CASE("the opened model's figures refuse a position outside the sentence and a bad top-k", "[export][opened]") {
  const auto model = app::open_model_path(kFolder);
  const app::TextShaper shaper;
  const std::size_t n = model->bpe.encode("The cat sat").size();
  app::ModelFigureRequest request;
  request.what = app::ModelFigure::Predictions;
  request.position = static_cast<int>(n);
  CHECK_THROWS_WITH(app::opened_model_figure(*model, "The cat sat", request, {}, shaper),
                    Catch::Contains("position " + std::to_string(n + 1) + " is outside the sentence"));
  request.position = -1;
  for (const int k : {0, app::kMaxTopK + 1}) {
    request.top_k = k;
    CHECK_THROWS_AS(app::opened_model_figure(*model, "The cat sat", request, {}, shaper), std::invalid_argument);
  }
  request.top_k = 3;
  CHECK_THROWS_AS(app::opened_model_figure(*model, "", request, {}, shaper), std::invalid_argument);
  // Knock-outs are named in the caption, so a changed model is never taken for the intact one.
  request.what = app::ModelFigure::Overview;
  request.knocked_out.assign(8, 0);
  request.knocked_out[5] = 1;
  CHECK(any_text_contains(app::opened_model_figure(*model, "The cat sat", request, {}, shaper), "knocked out: L2 H2"));
}

TEST_CASE("attnlab export --what model, importance and predictions write the library's figures",
          "[export][opened][cli]") {
  test_support::TempDir dir;
  const auto model = app::open_model_path(kFolder);
  const app::TextShaper shaper;
  struct Case {
    const char* what;
    app::ModelFigure figure;
    const char* extra;
    int position;
    int top_k;
  };
  for (const Case c : {Case{"model", app::ModelFigure::Overview, "", -1, app::kDefaultTopK},
                       Case{"importance", app::ModelFigure::Importance, "", -1, app::kDefaultTopK},
                       Case{"predictions", app::ModelFigure::Predictions, " --position 2 --top-k 4", 1, 4}})
    for (const app::ExportFormat format : {app::ExportFormat::Png, app::ExportFormat::Svg, app::ExportFormat::Pdf}) {
      const std::string out =
          (dir.path / (std::string(c.what) + "." + std::string(app::format_extension(format)))).string();
      const test_support::Result r = test_support::run("export --model " + kFolder + " --text 'The cat sat' --what " +
                                                       c.what + c.extra + " --theme dark --scale 2 --out " + out);
      INFO(r.out);
      REQUIRE(r.code == 0);
      app::ModelFigureRequest request;
      request.what = c.figure;
      request.position = c.position;
      request.top_k = c.top_k;
      app::FigureOptions o;
      o.theme = app::Theme::Dark;
      o.scale = 2;
      const std::string want =
          app::encode_figure(app::opened_model_figure(*model, "The cat sat", request, o, shaper), format, shaper);
      const std::string got = attn::read_file(out);
      // PNG byte for byte; SVG and PDF carry Cairo's per-process ids and the creation time, so
      // their words are compared (the SVG's selectable text layer is the display list's texts).
      if (format == app::ExportFormat::Png)
        CHECK(got == want);
      else if (format == app::ExportFormat::Pdf)
        CHECK(got.compare(0, 5, "%PDF-") == 0);
      else
        CHECK(got.substr(got.find("<g id=\"selectable-text\"")) == want.substr(want.find("<g id=\"selectable-text\"")));
    }
}

TEST_CASE("attnlab export --what importance and predictions refuse what they cannot draw with exit 2",
          "[export][opened][cli]") {
  test_support::TempDir dir;
  const std::string out = (dir.path / "x.png").string();
  struct Bad {
    std::string args, says;
  };
  const std::vector<Bad> cases = {
      {"--lesson induction --what importance", "needs a model that reads text"},
      {"--lesson reverse --what predictions", "was trained on the reverse task"},
      {"--what predictions", "needs a model that reads text"},
      {"--what importance --heads 2", "needs a model that reads text"},
      {"--model " + kFolder + " --what overview", "--what must be"},
      {"--model " + kFolder + " --text 'The cat' --what predictions --position 99",
       "position 99 is outside the sentence: it has "},
      {"--model " + kFolder + " --what predictions --position 0", "--position needs whole numbers from 1"},
      {"--model " + kFolder + " --what predictions --top-k 0", "--top-k needs whole numbers from 1 to 50"},
      {"--model " + kFolder + " --what predictions --top-k 51", "--top-k needs whole numbers from 1 to 50"},
      {"--model " + kFolder + " --what grid --position 2", "--position is for --what predictions"},
      {"--model " + kFolder + " --what importance --top-k 3", "--top-k is for --what predictions"},
      {"--model " + kFolder + " --what importance --layer 2", "--layer does not apply"},
      {"--model " + kFolder + " --what predictions --ids 3,4", "--ids is for the layer figures"},
      {"--model " + kFolder + " --what importance --text ''", "the sentence is empty"},
      {"--model " + kFolder + " --what importance --format csv", "is a figure"},
  };
  for (const Bad& c : cases) {
    const test_support::Result r = test_support::run("export " + c.args + " --out " + out);
    INFO(c.args << "\n" << r.out);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains(c.says));
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);  // one line
    CHECK_FALSE(std::filesystem::exists(out));
  }
  const test_support::Result csv =
      test_support::run("export --model " + kFolder + " --what predictions --out " + (dir.path / "p.csv").string());
  CHECK(csv.code == 2);
  CHECK_THAT(csv.out, Catch::Contains("is a figure"));
  const test_support::Result missing =
      test_support::run("export --model " + (dir.path / "none").string() + " --what importance --out " + out);
  CHECK(missing.code == 1);  // an unreadable model is a failed read
  // A folder as --out gets a name made from the sentence and the figure.
  const test_support::Result folder = test_support::run(
      "export --model " + kFolder + " --text 'The cat' --what predictions --out " + dir.path.string());
  INFO(folder.out);
  REQUIRE(folder.code == 0);
  CHECK_THAT(folder.out, Catch::Contains("_predictions_") && Catch::Contains(".png"));
  // The help names the three figures and their flags.
  const test_support::Result help = test_support::run("export --help");
  CHECK_THAT(help.out, Catch::Contains("--what importance") && Catch::Contains("--what predictions") &&
                           Catch::Contains("--position P") && Catch::Contains("--top-k K"));
}
