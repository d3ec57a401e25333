// The projector sweep: at UI scales 1-3, windows from 1024x640 to 1920x1080 and 1 to 16 heads, in
// both modes, no text the window draws overlaps another, leaves the window or is cut; heads that
// do not fit readably page, say so, and PgDn turns the page. Plus the grid planner headless.
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
      }
}

bool has_text(const nlohmann::json& layout, const std::string& kind, const std::string& part) {
  for (const auto& t : layout["texts"])
    if (t["kind"] == kind && t["text"].get<std::string>().find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("Explore at scales 1-3 x 3 sizes x 1-16 heads: no text overlaps or is cut or leaves the window", "[gui][layout]") {
  sweep("--mode explore --d-model 64");
}

TEST_CASE("Train at scales 1-3 x 3 sizes x 1-16 heads: no text overlaps or is cut or leaves the window", "[gui][layout]") {
  sweep("--new sentences");
}

TEST_CASE("heads that do not fit readably page and say so and PgDn turns the page", "[gui][layout]") {
  const std::string args = "--no-settings --mode explore --heads 16 --d-model 64 --scale 2";
  const gui_test::Run first = gui_test::run_window_sized(args, 1280, 720, 5, false);
  REQUIRE(first.exit_code == 0);
  CHECK(has_text(first.layout, "grid_pages", "heads 1-"));
  CHECK(has_text(first.layout, "grid_pages", "of 16 \xC2\xB7 PgDn for more"));
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
  CHECK(has_text(next.layout, "grid_pages", second));
  CHECK(gui_test::find_heatmap(next.layout, "attention", static_cast<int>(per_page)) != nullptr);
  CHECK(gui_test::find_heatmap(next.layout, "attention", 0) == nullptr);
}

TEST_CASE("presentation mode folds the controls and F10 brings them back as a drawer", "[gui][layout]") {
  const std::string args = "--no-settings --mode explore --heads 8 --d-model 64 --scale 2 --fullscreen";
  const gui_test::Run shown = gui_test::run_window_sized(args, 1024, 768, 5, false);
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.layout["presentation"] == true);
  CHECK_FALSE(has_text(shown.layout, "menu", "File"));        // no menu bar
  CHECK_FALSE(has_text(shown.layout, "label", "Temperature"));  // no controls
  CHECK(has_text(shown.layout, "button", "\xE2\x98\xB0"));      // the drawer's button
  CHECK(shown.layout["chips"].size() == 11);                    // the sentence's chips stay
  CHECK(gui_test::text_problems(shown.layout).empty());

  const gui_test::Run drawer = gui_test::run_window_sized(args + " --key f10@2", 1024, 768, 5, false);
  REQUIRE(drawer.exit_code == 0);
  CHECK(drawer.layout["controls_open"] == true);
  CHECK(has_text(drawer.layout, "window_title", "Controls (F10)"));
  CHECK(has_text(drawer.layout, "label", "Temperature"));
  const std::vector<std::string> problems = gui_test::text_problems(drawer.layout);
  INFO((problems.empty() ? "" : problems.front()));
  CHECK(problems.empty());

  const gui_test::Run back = gui_test::run_window_sized(args + " --key f11@2", 1024, 768, 6, false);
  REQUIRE(back.exit_code == 0);
  CHECK(back.layout["presentation"] == false);
  CHECK(has_text(back.layout, "menu", "File"));
}

TEST_CASE("the grid planner pages before a map gets smaller than readable", "[layout]") {
  app::gui::GridRequest r;
  r.panels = 8;
  r.n_tokens = 10;
  r.width = 1000.0f;
  r.height = 250.0f;
  r.title_h = 20.0f;
  r.gap = 8.0f;
  r.label_room = 60.0f;
  r.font = 17.0f;
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
  SECTION("labels only when a cell is a line of text tall") {
    r.panels = 1;
    r.height = 600.0f;
    const app::gui::GridPlan big = app::gui::plan_grid(r);
    CHECK(big.labels);
    r.n_tokens = 40;
    const app::gui::GridPlan small = app::gui::plan_grid(r);
    CHECK_FALSE(small.labels);
    CHECK(small.readable);
    r.height = 100.0f;  // not even one readable map: the largest there is, and it says so
    const app::gui::GridPlan tiny = app::gui::plan_grid(r);
    CHECK(tiny.per_page == 1);
    CHECK_FALSE(tiny.readable);
  }
}
