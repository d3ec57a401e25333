// The projector sweep: at UI scales 1-3, windows from 1024x640 to 1920x1080 and 1 to 16 heads, in
// both modes, no text the window draws overlaps another, leaves the window or is cut, and every
// attention map of up to 16 tokens carries its token labels (presentation mode, enlarged heads,
// the lines view and the step-through too); heads that do not fit readably page, say so, and PgDn
// turns the page. Plus the grid planner headless.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "gui/ui/grid_plan.hpp"
#include "gui_harness.hpp"

namespace {

struct Size {
  int width, height;
};
const Size kSizes[] = {{1024, 640}, {1280, 720}, {1920, 1080}};
const int kScales[] = {1, 2, 3};
const int kHeads[] = {1, 4, 8, 16};

// Every scale x size x heads in one mode; `mode_args` picks the mode and `heads_flag` the heads.
void sweep(const std::string& mode_args) {
  for (const int scale : kScales)
    for (const Size& size : kSizes)
      for (const int heads : kHeads) {
        std::ostringstream args;
        args << "--no-settings " << mode_args << " --heads " << heads << " --scale " << scale;
        const gui_test::Run run = gui_test::run_window_sized(args.str(), size.width, size.height, 5, false);
        INFO("attnlab " << args.str() << " --size " << size.width << "x" << size.height << "\n" << run.stderr_text);
        REQUIRE(run.exit_code == 0);
        REQUIRE(run.layout.is_object());
        CHECK(run.layout["heatmaps"].size() >= 1);
        const auto& texts = run.layout["texts"];
        bool has_title = false;
        for (const auto& t : texts) has_title |= t["kind"] == "head_title";
        CHECK(has_title);
        const std::vector<std::string> problems = gui_test::text_problems(run.layout);
        std::string listed;
        for (std::size_t i = 0; i < problems.size() && i < 12; ++i) listed += "  " + problems[i] + "\n";
        INFO(problems.size() << " layout problems:\n" << listed);
        CHECK(problems.empty());
        const std::vector<std::string> missing = gui_test::label_problems(run.layout);
        INFO(missing.size() << " maps without labels, the first: " << (missing.empty() ? "" : missing.front()));
        CHECK(missing.empty());
      }
}

// One run's texts all readable and every attention map of up to `max_tokens` labelled.
void check_labelled(const gui_test::Run& run, const std::string& what, int max_tokens = 16) {
  INFO(what << "\n" << run.stderr_text);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.layout.is_object());
  std::size_t maps = 0;
  for (const auto& h : run.layout["heatmaps"])
    maps += h["matrix"] == "attention" || h["matrix"] == "raw score" || h["matrix"] == "lines";
  CHECK(maps >= 1);
  const std::vector<std::string> problems = gui_test::text_problems(run.layout);
  std::string listed;
  for (std::size_t i = 0; i < problems.size() && i < 12; ++i) listed += "  " + problems[i] + "\n";
  INFO(problems.size() << " layout problems:\n" << listed);
  CHECK(problems.empty());
  const std::vector<std::string> missing = gui_test::label_problems(run.layout, max_tokens);
  std::string absent;
  for (std::size_t i = 0; i < missing.size() && i < 12; ++i) absent += "  " + missing[i] + "\n";
  INFO(missing.size() << " maps without labels:\n" << absent);
  CHECK(missing.empty());
}

const char* const kSixteen =
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
const char* const kThirtyTwo = "a b c d e f g h i j k l m n o p q r s t u v w x y z one two three four five six";

}  // namespace

TEST_CASE("Explore at scales 1-3 x 3 sizes x 1-16 heads: no text overlaps or is cut or leaves the window",
          "[gui][layout]") {
  sweep("--mode explore --d-model 64");
}

TEST_CASE("Train at scales 1-3 x 3 sizes x 1-16 heads: no text overlaps or is cut or leaves the window",
          "[gui][layout]") {
  sweep("--new sentences");
}

TEST_CASE("presentation mode at 1024x768 scale 2: every head of up to 16 tokens carries its labels, as does Train mode",
          "[gui][layout]") {
  const std::string base = "--no-settings --scale 2 --fullscreen";
  check_labelled(gui_test::run_window_sized(base + " --mode explore --heads 4 --d-model 64", 1024, 768, 5, false),
                 "4 heads, the default sentence");
  check_labelled(
      gui_test::run_window_sized(base + " --mode explore --heads 4 --d-model 64 --text '" + std::string(kSixteen) + "'",
                                 1024, 768, 5, false),
      "4 heads of 16 tokens");
  // The next page is labelled too.
  check_labelled(
      gui_test::run_window_sized(base + " --mode explore --heads 4 --d-model 64 --key pagedown@3", 1024, 768, 6, false),
      "4 heads, page 2");
  // Train mode: the sentences lesson, and its last chips ("it =") on screen.
  const gui_test::Run train = gui_test::run_window_sized(base + " --mode train", 1024, 768, 6, false);
  check_labelled(train, "Train mode, the sentences lesson");
  const int tokens = train.layout["train"]["tokens"].get<int>();
  REQUIRE(tokens >= 2);
  const float window_w = train.layout["window"][0].get<float>();
  int last_chips = 0;
  for (const auto& c : train.layout["chips"])
    if (c["index"].get<int>() >= tokens - 2 && c["x"].get<float>() + c["w"].get<float>() <= window_w) ++last_chips;
  CHECK(last_chips == 2);
}

TEST_CASE("an enlarged head of up to 32 tokens carries its labels at scales 1-3 with the step-through on screen",
          "[gui][layout]") {
  for (const int scale : {1, 2, 3}) {
    const std::string args = "--no-settings --mode explore --heads 4 --d-model 64 --scale " + std::to_string(scale) +
                             " --text '" + std::string(kThirtyTwo) + "' --click-cell 1,3,2@3";
    const gui_test::Run run = gui_test::run_window_sized(args, 1920, 1080, 7, false);
    check_labelled(run, args, 32);
    CHECK(run.layout["step_through"].is_object());
    CHECK(gui_test::has_text(run.layout, "step_title", "Step through"));
  }
  const std::string projector =
      "--no-settings --mode explore --heads 4 --d-model 64 --scale 2 --fullscreen --click-cell 1,3,2@3";
  const gui_test::Run run = gui_test::run_window_sized(projector, 1024, 768, 7, false);
  check_labelled(run, projector);
  CHECK(gui_test::has_text(run.layout, "step_title", "Step through"));
  // Train mode's enlarged head and its step-through.
  const std::string train = "--no-settings --mode train --scale 2 --fullscreen --click-cell 1,3,2@3";
  const gui_test::Run trained = gui_test::run_window_sized(train, 1024, 768, 7, false);
  check_labelled(trained, train);
  CHECK(gui_test::has_text(trained.layout, "step_title", "Step through"));
}

TEST_CASE("the lines view labels its tokens at scales 1-3", "[gui][layout]") {
  for (const int scale : {1, 2, 3}) {
    const std::string args =
        "--no-settings --mode explore --heads 4 --d-model 64 --key ctrl+l@1 --key ctrl+l@3 --scale " +
        std::to_string(scale);
    for (const std::string& run_args : {args, args + " --fullscreen"}) {
      const gui_test::Run run = gui_test::run_window_sized(run_args, 1024, 768, 6, false);
      check_labelled(run, run_args);
      CHECK(gui_test::find_heatmap(run.layout, "lines", 0) != nullptr);
    }
  }
}

TEST_CASE("at 1600x1000 and 1920x1080 up to 8 heads of 16 tokens carry their labels", "[gui][layout]") {
  const std::string sentences[] = {kSixteen, "The animal didn't cross the street because it was tired.",
                                   "The extraordinarily tired animal didn't cross the street because it was."};
  for (const auto& [w, h] : {std::pair{1600, 1000}, std::pair{1920, 1080}}) {
    for (const std::string& text : sentences) {
      const std::string args = "--no-settings --mode explore --heads 8 --d-model 64 --scale 1 --text \"" + text + "\"";
      check_labelled(gui_test::run_window_sized(args, w, h, 5, false), args);
    }
    // The first start: Train mode on the sentences lesson (2 layers of 4 heads, 14 tokens).
    check_labelled(gui_test::run_window_sized("--no-settings --mode train --scale 1", w, h, 6, false),
                   "the sentences lesson");
  }
}

TEST_CASE("heads that do not fit readably page and say so and PgDn turns the page", "[gui][layout]") {
  const std::string args = "--no-settings --mode explore --heads 16 --d-model 64 --scale 2";
  const gui_test::Run first = gui_test::run_window_sized(args, 1280, 720, 5, false);
  REQUIRE(first.exit_code == 0);
  CHECK(gui_test::has_text(first.layout, "grid_pages", "heads 1-"));
  CHECK(gui_test::has_text(first.layout, "grid_pages", "of 16 \xC2\xB7 PgDn for more"));
  CHECK(first.layout["head_page"] == 0);
  std::size_t per_page = 0;
  for (const auto& h : first.layout["heatmaps"]) per_page += h["matrix"] == "attention";
  CHECK(per_page < 16);
  // Every map on the page is at least the readable size: four lines of text.
  const float font = 17.0f * 2.0f;
  for (const auto& h : first.layout["heatmaps"])
    if (h["matrix"] == "attention") CHECK(h["w"].get<float>() >= 4.0f * font - h["cols"].get<float>());

  const gui_test::Run next = gui_test::run_window_sized(args + " --key pagedown@3", 1280, 720, 6, false);
  REQUIRE(next.exit_code == 0);
  CHECK(next.layout["head_page"] == 1);
  const std::string second = "heads " + std::to_string(per_page + 1) + "-";
  CHECK(gui_test::has_text(next.layout, "grid_pages", second));
  CHECK(gui_test::find_heatmap(next.layout, "attention", static_cast<int>(per_page)) != nullptr);
  CHECK(gui_test::find_heatmap(next.layout, "attention", 0) == nullptr);
}

TEST_CASE("presentation mode folds the controls and F10 brings them back as a drawer", "[gui][layout]") {
  const std::string args = "--no-settings --mode explore --heads 8 --d-model 64 --scale 2 --fullscreen";
  const gui_test::Run shown = gui_test::run_window_sized(args, 1024, 768, 5, false);
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.layout["presentation"] == true);
  CHECK_FALSE(gui_test::has_text(shown.layout, "menu", "File"));          // no menu bar
  CHECK_FALSE(gui_test::has_text(shown.layout, "label", "Temperature"));  // no controls
  CHECK(gui_test::has_text(shown.layout, "button", "\xE2\x98\xB0"));      // the drawer's button
  CHECK(shown.layout["chips"].size() == 11);                              // the sentence's chips stay
  CHECK(gui_test::text_problems(shown.layout).empty());

  const gui_test::Run drawer = gui_test::run_window_sized(args + " --key f10@2", 1024, 768, 5, false);
  REQUIRE(drawer.exit_code == 0);
  CHECK(drawer.layout["controls_open"] == true);
  CHECK(gui_test::has_text(drawer.layout, "window_title", "Controls (F10)"));
  CHECK(gui_test::has_text(drawer.layout, "combo", "Random weights"));  // the model picker, then the knobs
  CHECK(gui_test::has_text(drawer.layout, "label", "Heads"));
  const std::vector<std::string> problems = gui_test::text_problems(drawer.layout);
  INFO((problems.empty() ? "" : problems.front()));
  CHECK(problems.empty());

  const gui_test::Run back = gui_test::run_window_sized(args + " --key f11@2", 1024, 768, 6, false);
  REQUIRE(back.exit_code == 0);
  CHECK(back.layout["presentation"] == false);
  CHECK(gui_test::has_text(back.layout, "menu", "File"));
}

TEST_CASE("the grid planner pages before a map gets smaller than readable", "[layout]") {
  app::gui::GridRequest r;
  r.panels = 8;
  r.n_tokens = 10;
  r.width = 1000.0f;
  r.height = 250.0f;
  r.title_h = 20.0f;
  r.gap = 8.0f;
  r.labels.widest_em = 3.0f;  // room = 3 x label size + 9: 60 at 17 px
  r.labels.pad = 9.0f;
  r.labels.min_px = 12.0f;
  r.labels.max_px = 17.0f;
  r.min_side = 120.0f;
  SECTION("all heads fit: one page") {
    r.height = 600.0f;
    const app::gui::GridPlan p = app::gui::plan_grid(r);
    CHECK(p.pages == 1);
    CHECK(p.count == 8);
    CHECK(p.side >= r.min_side);
  }
  SECTION("too many for the height: pages of readable maps") {
    const app::gui::GridPlan p = app::gui::plan_grid(r);
    CHECK(p.pages > 1);
    CHECK(p.side >= r.min_side);
    CHECK(p.per_page * p.pages >= 8);
    r.page = 99;  // clamped to the last page, which holds the rest
    const app::gui::GridPlan last = app::gui::plan_grid(r);
    CHECK(last.page == last.pages - 1);
    CHECK(last.first + last.count == 8);
  }
  SECTION("Train mode keeps a row per layer when that is readable") {
    r.height = 600.0f;
    r.fixed_cols = 4;
    const app::gui::GridPlan p = app::gui::plan_grid(r);
    CHECK(p.cols == 4);
    CHECK(p.rows == 2);
  }
  SECTION("Train mode pages whole layers when two rows do not fit") {
    r.fixed_cols = 4;
    const app::gui::GridPlan p = app::gui::plan_grid(r);
    CHECK(p.cols == 4);
    CHECK(p.per_page == 4);
    CHECK(p.pages == 2);
  }
  SECTION("labels only when a cell is as tall as a label") {
    r.panels = 1;
    r.height = 600.0f;
    const app::gui::GridPlan big = app::gui::plan_grid(r);
    CHECK(big.labels);
    CHECK(big.fit.label_px == 17.0f);
    r.n_tokens = 60;
    const app::gui::GridPlan small = app::gui::plan_grid(r);
    CHECK_FALSE(small.labels);
    CHECK(small.readable);
    r.height = 100.0f;  // not even one readable map: the largest there is, and it says so
    const app::gui::GridPlan tiny = app::gui::plan_grid(r);
    CHECK(tiny.per_page == 1);
    CHECK_FALSE(tiny.readable);
  }
}

TEST_CASE("the grid planner keeps room for labels first and pages rather than drop them", "[layout]") {
  app::gui::GridRequest r;
  r.panels = 4;
  r.n_tokens = 16;
  r.width = 900.0f;  // 1024x768 at scale 2: four maps in a row would have 12 px cells
  r.height = 420.0f;
  r.title_h = 42.0f;
  r.gap = 16.0f;
  r.labels.widest_em = 4.0f;
  r.labels.pad = 8.0f;
  r.labels.min_px = 17.0f;
  r.labels.max_px = 34.0f;
  r.min_side = 136.0f;
  const app::gui::GridPlan p = app::gui::plan_grid(r);
  CHECK(p.labels);
  CHECK(p.fit.label_px >= 17.0f);
  CHECK(p.fit.cell_h >= p.fit.label_px);
  CHECK(p.pages > 1);  // not four unlabelled maps in a row
  // Each map's labels and cells fit the panel it gets.
  CHECK(p.fit.room_x + p.side <= p.panel_w - r.gap + 0.5f);
  CHECK(p.fit.room_y + p.side <= p.panel_h - r.title_h - r.gap + 0.5f);

  SECTION("a labelled layout beats a slightly larger unlabelled one") {
    r.panels = 1;
    r.height = 16.0f * 17.0f + 4.0f * 17.0f + 8.0f + 42.0f + 16.0f;  // just room for 17 px labels
    const app::gui::GridPlan one = app::gui::plan_grid(r);
    CHECK(one.labels);
    CHECK(one.side < r.height - r.title_h - r.gap);  // smaller than without labels
  }
  SECTION("when the grid's label size cannot fit even one map, smaller labels before none") {
    r.panels = 1;
    r.height = 16.0f * 13.0f + 4.0f * 13.0f + 8.0f + 42.0f + 16.0f;
    const app::gui::GridPlan one = app::gui::plan_grid(r);
    CHECK(one.labels);
    CHECK(one.fit.label_px >= 12.0f);
    CHECK(one.fit.label_px < 17.0f);
  }
  SECTION("long labels are shortened before they are dropped") {
    r.panels = 1;
    r.labels.widest_em = 9.0f;  // "extraordinarily"
    r.labels.min_px = 12.0f;
    r.height = 16.0f * 12.0f + 3.5f * 12.0f + 8.0f + 42.0f + 16.0f;
    const app::gui::GridPlan one = app::gui::plan_grid(r);
    CHECK(one.labels);
    CHECK(one.fit.room_y < 9.0f * one.fit.label_px);
  }
}

TEST_CASE("an enlarged head goes beside or below its step-through, whichever keeps it larger", "[layout]") {
  app::gui::LabelSpec labels;
  labels.widest_em = 4.0f;
  labels.pad = 8.0f;
  labels.min_px = 12.0f;
  labels.max_px = 34.0f;
  // A wide, short space: beside.
  const app::gui::SplitPlan wide =
      app::gui::plan_enlarged(32, 870.0f, 480.0f, labels, app::gui::LabelSides::LeftAndTop, 408.0f, 306.0f, 8.0f);
  CHECK(wide.beside);
  CHECK(wide.fit.labels);
  CHECK(wide.other_w >= 408.0f);
  CHECK(wide.map_w + 8.0f + wide.other_w <= 870.0f + 0.5f);
  // A narrow, tall space: below.
  const app::gui::SplitPlan tall =
      app::gui::plan_enlarged(16, 500.0f, 1200.0f, labels, app::gui::LabelSides::LeftAndTop, 408.0f, 306.0f, 8.0f);
  CHECK_FALSE(tall.beside);
  CHECK(tall.fit.labels);
  CHECK(tall.other_h >= 306.0f);
  CHECK(tall.map_h + 8.0f + tall.other_h <= 1200.0f + 0.5f);
}

TEST_CASE("Explore says its weights are random and a lesson opens with its name and its teacher's note",
          "[gui][layout]") {
  const gui_test::Run plain =
      gui_test::run_window_sized("--no-settings --mode explore --heads 4 --d-model 64", 1600, 1000, 4, false);
  REQUIRE(plain.exit_code == 0);
  CHECK(gui_test::has_text(plain.layout, "caption", "random weights: the patterns show the mechanism, not meaning"));
  CHECK_FALSE(gui_test::has_text(plain.layout, "window_title", "Teacher's note"));

  const std::string lesson = std::string(ATTN_TEST_DATA_DIR) + "/../assets/lessons/01-pronoun.json";
  const gui_test::Run opened = gui_test::run_window_sized("--no-settings --session " + lesson, 1600, 1000, 4, false);
  REQUIRE(opened.exit_code == 0);
  CHECK(gui_test::has_text(opened.layout, "caption", "Lesson 01-pronoun"));
  CHECK(gui_test::has_text(opened.layout, "caption", "random weights"));
  CHECK(gui_test::has_text(opened.layout, "window_title", "Teacher's note"));
  CHECK(gui_test::has_text(opened.layout, "note", "chance, not understanding"));
  CHECK(gui_test::text_problems(opened.layout).empty());
  // Enter closes it.
  const gui_test::Run closed =
      gui_test::run_window_sized("--no-settings --session " + lesson + " --key enter@2", 1600, 1000, 4, false);
  REQUIRE(closed.exit_code == 0);
  CHECK_FALSE(gui_test::has_text(closed.layout, "window_title", "Teacher's note"));
}

TEST_CASE("an opened GPT-2 folder at scales 1-3 and in presentation mode: every head of up to 16 tokens labelled",
          "[gui][layout]") {
  const std::string model = std::string(" --model ") + ATTN_TEST_DATA_DIR + "/engine/gpt2/f32_prefixed_tied";
  // 12 tokens of this folder's tokenizer ("␣cat" is one; most words are two or three).
  const std::string args = std::string("--no-settings --text 'The cat sat on the mat'") + model;
  for (const int scale : {1, 2, 3}) {
    const gui_test::Run run =
        gui_test::run_window_sized(args + " --scale " + std::to_string(scale), 1600, 1000, 5, false);
    check_labelled(run, "1600x1000 scale " + std::to_string(scale));
    CHECK(run.layout["opened_model"]["layers"] == 2);
  }
  check_labelled(gui_test::run_window_sized(args + " --scale 2 --fullscreen", 1024, 768, 5, false),
                 "1024x768 scale 2, F11");
  // The enlarged head with its step-through, in the second layer.
  check_labelled(gui_test::run_window_sized(args + " --scale 2 --key ]@1 --click-cell 3,5,2@2", 1024, 768, 6, false),
                 "1024x768 scale 2, layer 2, head 3 enlarged");
}
