// The training movie and the model figures: 16:9 frames with the step and loss, heads titled with
// their detectors, a GIF that stores only what changed yet decodes to every frame exactly.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/detector_notes.hpp"
#include "core/model_run.hpp"
#include "engine/file_io.hpp"
#include "engine/model/checkpoint.hpp"
#include "export/figure_builder.hpp"
#include "export/model_figures.hpp"

namespace {

struct Decoded {
  int width = 0, height = 0;
  std::vector<std::vector<unsigned char>> frames;  // RGB, composed as a viewer shows them
  std::vector<int> delays;
  std::vector<std::array<int, 4>> rects;  // each frame's stored rectangle: x, y, w, h
};

int read_from_string(GifFileType* gif, GifByteType* bytes, int n) {
  auto* s = static_cast<std::pair<const std::string*, std::size_t>*>(gif->UserData);
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(n), s->first->size() - s->second);
  std::memcpy(bytes, s->first->data() + s->second, k);
  s->second += k;
  return static_cast<int>(k);
}

Decoded decode(const std::string& bytes) {
  std::pair<const std::string*, std::size_t> source{&bytes, 0};
  int error = 0;
  GifFileType* gif = DGifOpen(&source, read_from_string, &error);
  REQUIRE(gif != nullptr);
  REQUIRE(DGifSlurp(gif) == GIF_OK);
  Decoded d;
  d.width = gif->SWidth;
  d.height = gif->SHeight;
  std::vector<unsigned char> canvas(static_cast<std::size_t>(d.width) * static_cast<std::size_t>(d.height) * 3, 0);
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& image = gif->SavedImages[i];
    GraphicsControlBlock gcb{};
    DGifSavedExtensionToGCB(gif, i, &gcb);
    d.delays.push_back(gcb.DelayTime);
    const GifImageDesc& r = image.ImageDesc;
    d.rects.push_back({r.Left, r.Top, r.Width, r.Height});
    const ColorMapObject* map = r.ColorMap ? r.ColorMap : gif->SColorMap;
    REQUIRE(map != nullptr);
    for (int y = 0; y < r.Height; ++y)
      for (int x = 0; x < r.Width; ++x) {
        const int index = image.RasterBits[y * r.Width + x];
        if (index == gcb.TransparentColor) continue;
        unsigned char* px = &canvas[(static_cast<std::size_t>(r.Top + y) * static_cast<std::size_t>(d.width) +
                                     static_cast<std::size_t>(r.Left + x)) *
                                    3];
        px[0] = map->Colors[index].Red, px[1] = map->Colors[index].Green, px[2] = map->Colors[index].Blue;
      }
    d.frames.push_back(canvas);
  }
  DGifCloseFile(gif, &error);
  return d;
}

std::vector<unsigned char> solid(int w, int h, app::Rgb8 c) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4, 255);
  for (std::size_t i = 0; i < px.size(); i += 4) px[i] = c.r, px[i + 1] = c.g, px[i + 2] = c.b;
  return px;
}

}  // namespace

TEST_CASE("a GIF stream stores only the changed rectangle and decodes to every frame", "[movie]") {
  const app::Rgb8 white{255, 255, 255}, red{200, 0, 0}, blue{0, 0, 200};
  app::GifStream gif(40, 30, {white, red, blue});
  std::vector<unsigned char> a = solid(40, 30, white), b = a, c = a;
  for (int y = 10; y < 14; ++y)
    for (int x = 5; x < 9; ++x)
      std::memcpy(&b[(static_cast<std::size_t>(y) * 40 + static_cast<std::size_t>(x)) * 4], &red, 3);
  c = b;
  c[(29 * 40 + 39) * 4 + 2] = 190;  // nearly blue-free white: the nearest palette color is white
  c[(29 * 40 + 39) * 4] = 10, c[(29 * 40 + 39) * 4 + 1] = 0;  // now (10, 0, 190): nearest is blue
  gif.add(a, 9);
  gif.add(b, 9);
  gif.add(b, 9);  // nothing changed
  gif.add(c, 200);
  const Decoded d = decode(gif.finish());
  REQUIRE(d.frames.size() == 4);
  CHECK(d.delays == std::vector<int>{9, 9, 9, 200});
  CHECK(d.rects[0] == std::array<int, 4>{0, 0, 40, 30});
  CHECK(d.rects[1] == std::array<int, 4>{5, 10, 4, 4});
  CHECK(d.rects[2][2] * d.rects[2][3] == 1);
  CHECK(d.rects[3] == std::array<int, 4>{39, 29, 1, 1});
  const auto at = [&](int frame, int x, int y) {
    const unsigned char* p = &d.frames[static_cast<std::size_t>(frame)]
                                      [(static_cast<std::size_t>(y) * 40 + static_cast<std::size_t>(x)) * 3];
    return app::Rgb8{p[0], p[1], p[2]};
  };
  CHECK(at(0, 6, 11) == white);
  CHECK(at(1, 6, 11) == red);
  CHECK(at(2, 6, 11) == red);
  CHECK(at(3, 6, 11) == red);
  CHECK(at(3, 39, 29) == blue);
  CHECK(at(3, 0, 0) == white);
  CHECK_THROWS_AS(app::GifStream(10, 10, std::vector<app::Rgb8>(256, white)), std::invalid_argument);
  app::GifStream wrong(10, 10, {white});
  CHECK_THROWS_AS(wrong.add(a, 5), std::invalid_argument);
}

TEST_CASE("the palette holds the background, the text and the colormap exactly", "[movie]") {
  for (const app::ThemeInfo& info : app::theme_table()) {
    const app::Theme theme = info.theme;
    const std::vector<app::Rgb8> p = app::figure_palette(theme, app::Colormap::Viridis);
    CHECK(p.size() <= 255);
    const app::FigureColors c = app::figure_colors(theme);
    const auto has = [&](app::Rgb8 want) { return std::find(p.begin(), p.end(), want) != p.end(); };
    CHECK(has({c.background.r, c.background.g, c.background.b}));
    CHECK(has({c.text.r, c.text.g, c.text.b}));
    CHECK(has(app::colormap_color(app::Colormap::Viridis, 0.0f)));
    CHECK(has(app::colormap_color(app::Colormap::Viridis, 1.0f)));
  }
}

TEST_CASE("detector notes name each head's best detector above the bar", "[movie][detectors]") {
  attn::DetectorScores s;
  s.n_layers = 1;
  s.n_heads = 3;
  s.reported = {attn::Detector::PreviousToken, attn::Detector::Self};
  s.score[static_cast<std::size_t>(attn::Detector::PreviousToken)] = {0.93f, 0.29f, 0.5f};
  s.score[static_cast<std::size_t>(attn::Detector::Self)] = {0.10f, 0.20f, 0.5f};
  CHECK(app::detector_note(s, 0, 0) == "previous-token 0.93");
  CHECK(app::detector_note(s, 0, 1).empty());                   // below 0.3: not said to do anything
  CHECK(app::detector_note(s, 0, 2) == "previous-token 0.50");  // a tie goes to the task's first
  CHECK(app::detector_note(s, 0, 3).empty());
  CHECK(app::detector_note(s, 1, 0).empty());
  CHECK(app::detector_notes(s, 0).size() == 3);
}

TEST_CASE("a movie frame is a 16:9 slide with the step, the loss and titled heads", "[movie]") {
  const attn::Checkpoint ck =
      attn::load_checkpoint(std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/induction.npz");
  const std::string text = app::example_text(ck);
  const app::ModelRun run = app::run_model(ck.model, attn::Vocab(ck.vocab), app::lower_cases(ck), text);
  app::CurvePoint point;
  point.step = 600;
  point.loss = 0.1571f;
  point.accuracy = 0.96f;
  point.detectors = *app::checkpoint_detector_scores(ck);
  app::MovieFrameInfo info;
  info.step = 600;
  info.total_steps = 600;
  info.point = &point;
  info.caption = app::model_caption(ck);
  std::vector<std::shared_ptr<const app::CurvePoint>> curve;
  for (const auto& [step, loss] : std::vector<std::pair<long long, float>>{{0, 4.6f}, {300, 0.8f}, {600, 0.1571f}}) {
    auto p = std::make_shared<app::CurvePoint>(point);
    p->step = step;
    p->loss = loss;
    curve.push_back(p);
  }
  info.curve = &curve;
  const app::TextShaper shaper;
  const app::Figure f = app::layout_movie_frame(run, text, info, {}, shaper);
  // The loss so far as a line: two segments up to step 600, on axes labelled with the run's largest loss.
  std::size_t segments = 0;
  for (const app::FigureLine& l : f.lines) segments += l.x0 != l.x1 && l.y0 != l.y1;
  CHECK(segments == 2);
  CHECK(f.width == app::kMovieWidth);
  CHECK(f.height == app::kMovieHeight);
  CHECK(f.width * 9 == f.height * 16);
  const auto find = [&](const std::string& s) -> const app::FigureText* {
    for (const app::FigureText& t : f.texts)
      if (t.text == s) return &t;
    return nullptr;
  };
  const app::FigureText* step = find("600 / 600");
  const app::FigureText* loss = find("0.157");
  REQUIRE(step != nullptr);
  REQUIRE(loss != nullptr);
  for (const app::FigureText& t : f.texts) CHECK(t.size <= step->size);  // the step and the loss are the largest text
  CHECK(loss->size == step->size);
  CHECK(find("L1 H1")->size < step->size / 3.0f);
  CHECK(step->size >= 60.0f);
  CHECK(find("held-out loss, steps 0\xE2\x80\x93"
             "600") != nullptr);
  CHECK(find("4.6") != nullptr);
  CHECK(find("L2 H1 \xC2\xB7 induction 0.89") != nullptr);
  CHECK(find("L1 H3 \xC2\xB7 previous-token 0.67") != nullptr);
  int queries = 0, keys = 0;
  for (const app::FigureText& t : f.texts) queries += t.text == "query", keys += t.text == "key";
  CHECK(queries == 8);
  CHECK(keys == 8);
  // Every text inside the frame.
  for (const app::FigureText& t : f.texts) {
    INFO(t.text);
    CHECK(t.x >= 0.0f);
    CHECK(t.y >= 0.0f);
    CHECK(t.x <= static_cast<float>(f.width));
    CHECK(t.y <= static_cast<float>(f.height));
  }
}

TEST_CASE("the README's reference run makes a 16:9 movie under 2 MB that loops in about 6 s", "[movie][cli]") {
  // attnlab train --task induction --movie F.gif: 600 steps, 48 frames (a few seconds of training).
  test_support::TempDir dir;
  const std::string path = (dir.path / "reference.gif").string();
  const std::string cmd =
      std::string(ATTNLAB_BIN) + " train --task induction --every 600 --movie " + path + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string bytes = attn::read_file(path);
  CHECK(bytes.size() < 2u * 1024u * 1024u);
  const Decoded d = decode(bytes);
  CHECK(d.width == 1920);
  CHECK(d.height == 1080);
  REQUIRE(d.frames.size() == 48);
  int play = 0;
  for (std::size_t i = 0; i + 1 < d.delays.size(); ++i) play += d.delays[i];
  CHECK(play >= 380);  // the run plays in about 4 s ...
  CHECK(play <= 440);
  CHECK(d.delays.back() == 200);  // ... and its end holds for 2 s
}

TEST_CASE("a model with no task is named by the generic detectors on its own text", "[movie][detectors]") {
  const attn::Checkpoint ck =
      attn::load_checkpoint(std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/induction.npz");
  const app::ModelRun run =
      app::run_model(ck.model, attn::Vocab(ck.vocab), app::lower_cases(ck), app::example_text(ck));
  const attn::DetectorScores s = app::text_detector_scores(run);
  // The induction task's example repeats its tokens, so duplicate-token and induction have cells
  // and are reported too.
  CHECK(s.reported == std::vector<attn::Detector>{attn::Detector::PreviousToken, attn::Detector::Self,
                                                  attn::Detector::FirstToken, attn::Detector::DuplicateToken,
                                                  attn::Detector::Induction});
  const std::size_t T = static_cast<std::size_t>(run.acts.T);
  REQUIRE(T > 2);
  for (int l = 0; l < ck.model.arch.n_layers; ++l)
    for (int h = 0; h < ck.model.arch.n_heads; ++h) {
      // The mean weight on the detector's cells, by hand from the layer's weights.
      const float* a = run.layer(l).attn(static_cast<std::size_t>(h));
      double prev = 0.0, self = 0.0, first = 0.0;
      for (std::size_t i = 0; i < T; ++i) {
        self += a[i * T + i];
        if (i == 0) continue;
        prev += a[i * T + i - 1];
        first += a[i * T];
      }
      INFO("layer " << l << " head " << h);
      CHECK(s.at(attn::Detector::PreviousToken, l, h) == Approx(prev / static_cast<double>(T - 1)).margin(1e-6));
      CHECK(s.at(attn::Detector::Self, l, h) == Approx(self / static_cast<double>(T)).margin(1e-6));
      CHECK(s.at(attn::Detector::FirstToken, l, h) == Approx(first / static_cast<double>(T - 1)).margin(1e-6));
    }
  // The trained previous-token head is one on this text too.
  CHECK(app::detector_note(s, 0, 2).rfind("previous-token", 0) == 0);
}
