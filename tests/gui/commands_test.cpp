// The shortcut table: every row can be pressed by --key, no two rows share a key where both
// apply, the F1 help lists every row on the page of its mode with nothing cut at scales 1-3, and a
// shortcut on a navigation key (Home, Page Down, arrows) never leaves ImGui's focus frame.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "gui/commands.hpp"
#include "gui_harness.hpp"

namespace {

using app::gui::CommandRow;

std::string problems_text(const std::vector<std::string>& problems) {
  std::string listed;
  for (std::size_t i = 0; i < problems.size() && i < 12; ++i) listed += "  " + problems[i] + "\n";
  return listed;
}

// The (key, action) rows the help drew in one run, paired by their line.
std::set<std::pair<std::string, std::string>> help_rows(const nlohmann::json& layout) {
  std::set<std::pair<std::string, std::string>> rows;
  for (const auto& k : layout["texts"]) {
    if (k["kind"] != "help_key") continue;
    for (const auto& a : layout["texts"])
      if (a["kind"] == "help_action" && std::abs(a["y"].get<float>() - k["y"].get<float>()) < 1.0f)
        rows.emplace(k["text"].get<std::string>(), a["text"].get<std::string>());
  }
  return rows;
}

// The help pages: F1 in Explore, in Train mode, with the step-through open, and in Explore with a
// model opened from a Hugging Face folder (its keys first).
const char* const kPages[] = {
    "--mode explore --heads 4 --d-model 64 --key f1@2",
    "--mode train --key f1@2",
    "--mode explore --heads 4 --d-model 64 --click-cell 1,3,2@2 --key f1@4",
    "--model " ATTN_TEST_DATA_DIR "/engine/gpt2/f32_prefixed_tied --key f1@2",
};

}  // namespace

TEST_CASE("every shortcut has a --key name and its own key where it applies", "[commands]") {
  const auto& rows = app::gui::command_table();
  REQUIRE(rows.size() >= 20);
  std::set<int> commands;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CommandRow& a = rows[i];
    INFO("row " << i << ": " << app::gui::shortcut_text(a) << " " << a.label);
    CHECK(commands.insert(static_cast<int>(a.command)).second);  // one row per command
    CHECK(app::gui::command_row(a.command).label == a.label);
    const std::string name = app::gui::key_test_name(a.key);
    CHECK_FALSE(name.empty());
    CHECK(app::gui::key_from_test_name(name) == a.key);
    CHECK(app::gui::shortcut_text(a).find("key ") == std::string::npos);  // a name people read
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      const CommandRow& b = rows[j];
      const bool same_key = a.key == b.key || (a.alt_key != 0 && a.alt_key == b.alt_key);
      // Every scope can hold beside another (the step-through opens in Train mode too), so
      // one key and Ctrl state is one row.
      CHECK_FALSE((same_key && a.ctrl == b.ctrl));
    }
  }
  CHECK(app::gui::key_from_test_name("nosuchkey") == 0);
  CHECK(app::gui::key_from_test_name("f13") == 0);
}

TEST_CASE("the F1 help lists every row of the shortcut table on the page of its mode", "[gui][commands]") {
  std::set<std::pair<std::string, std::string>> listed;
  std::set<std::string> tabs;
  for (const char* page : kPages) {
    const std::string args = std::string("--no-settings --scale 1 ") + page;
    const gui_test::Run run = gui_test::run_window_sized(args, 1920, 1080, 7, false);
    INFO(args << "\n" << run.stderr_text);
    REQUIRE(run.exit_code == 0);
    const auto rows = help_rows(run.layout);
    CHECK(rows.size() >= 4);
    listed.insert(rows.begin(), rows.end());
    for (const auto& t : run.layout["texts"])
      if (t["kind"] == "help_tab") tabs.insert(t["text"].get<std::string>());
  }
  CHECK(tabs == std::set<std::string>{"Explore", "Train", "Step-through"});
  for (const CommandRow& row : app::gui::command_table()) {
    INFO(app::gui::shortcut_text(row) << ": " << row.label);
    CHECK(listed.count({app::gui::shortcut_text(row), row.label}) == 1);
  }
  // What the old help got wrong: a click opens the step-through, it does not show Q/K/V.
  for (const auto& [key, action] : listed) CHECK(action.find("show its Q/K/V") == std::string::npos);
}

TEST_CASE("the F1 help is readable at scales 1-3 at 1024x768 and 1920x1080 on every page", "[gui][commands][layout]") {
  for (const int scale : {1, 2, 3})
    for (const auto& [w, h] : {std::pair{1024, 768}, std::pair{1920, 1080}})
      for (const char* page : kPages) {
        const std::string args = std::string("--no-settings --scale ") + std::to_string(scale) + " " + page;
        const gui_test::Run run = gui_test::run_window_sized(args, w, h, 7, false);
        INFO(args << " --size " << w << "x" << h << "\n" << run.stderr_text);
        REQUIRE(run.exit_code == 0);
        bool title = false, keys = false;
        for (const auto& t : run.layout["texts"]) {
          title |= t["kind"] == "window_title" && t["text"] == "Keyboard shortcuts and guide";
          keys |= t["kind"] == "help_key";
        }
        CHECK(title);
        CHECK(keys);
        const std::vector<std::string> problems = gui_test::text_problems(run.layout);
        INFO(problems.size() << " layout problems:\n" << problems_text(problems));
        CHECK(problems.empty());
      }
}

TEST_CASE("Home End and Page Down run their shortcut without ImGui's focus frame", "[gui][commands]") {
  // Train mode: Home goes to the first snapshot, Page Down turns the heads' page, End follows.
  const gui_test::Run train = gui_test::run_window_sized(
      "--no-settings --mode train --key home@2 --key pagedown@3 --key end@4 --key home@5", 1024, 768, 8, false);
  INFO(train.stderr_text);
  REQUIRE(train.exit_code == 0);
  CHECK(train.layout["nav_highlight"] == false);
  CHECK(train.layout["head_page"] == 1);  // Page Down did turn the page
  // Explore: Page Down; the step-through's arrows.
  const gui_test::Run step = gui_test::run_window_sized(
      "--no-settings --mode explore --heads 4 --d-model 64 --click-cell 1,3,2@2 --key right@4 --key right@6 --key "
      "pagedown@7",
      1024, 768, 10, false);
  INFO(step.stderr_text);
  REQUIRE(step.exit_code == 0);
  CHECK(step.layout["nav_highlight"] == false);
  REQUIRE(step.layout["step_through"].is_object());
  CHECK(step.layout["step_through"]["step"] == 3);
  // The frame is real and the record sees it: Home is no shortcut in Explore, so ImGui's
  // navigation takes it.
  const gui_test::Run plain =
      gui_test::run_window_sized("--no-settings --mode explore --key home@3", 1024, 768, 6, false);
  REQUIRE(plain.exit_code == 0);
  CHECK(plain.layout["nav_highlight"] == true);
}
