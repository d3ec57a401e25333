// Train mode in the real window under Xvfb: training advances and changes the picture, Pause
// stops it, the timeline scrubs back, a knock-out changes the loss, and the sentences lesson's
// referent head resolves "it" by the adjective.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gui_harness.hpp"

namespace {

// The color of cell (row, col) of a heatmap, sampled away from its grid lines.
const unsigned char* cell_pixel(const gui_test::Run& run, const nlohmann::json& h, int row, int col) {
  const float cw = h["w"].get<float>() / h["cols"].get<float>(), ch = h["h"].get<float>() / h["rows"].get<float>();
  const int x = static_cast<int>(h["x"].get<float>() + cw * (static_cast<float>(col) + 0.5f));
  const int y = static_cast<int>(h["y"].get<float>() + ch * (static_cast<float>(row) + 0.5f));
  return run.screenshot.at(x, y);
}

// Brightness of a viridis color: it rises monotonically from dark purple (0) to yellow (1).
int brightness(const unsigned char* px) { return px[0] + px[1] + px[2]; }

// The heatmap of layer 2, head 2 (the referent head of the sentences lesson).
const nlohmann::json& referent_head(const gui_test::Run& run) {
  const nlohmann::json* h = gui_test::find_heatmap(run.layout, "attention", 1, 1);
  REQUIRE(h != nullptr);
  return *h;
}

}  // namespace

TEST_CASE("the sentences lesson opens in Train mode and its referent head follows the adjective", "[gui][train]") {
  // The trained lesson (the first start trains it from step 0: see the test below).
  const gui_test::Run tired = gui_test::run_window("--lesson sentences", 6);
  REQUIRE(tired.exit_code == 0);
  CHECK(tired.layout["mode"] == "train");
  CHECK(tired.layout["train"]["task"] == "sentences");
  REQUIRE(tired.layout["train"]["tokens"] == 14);
  // The query "=" (row 13) on "animal" (column 1) against "street" (column 5).
  const nlohmann::json& h = referent_head(tired);
  CHECK(brightness(cell_pixel(tired, h, 13, 1)) > brightness(cell_pixel(tired, h, 13, 5)) + 200);

  const gui_test::Run wide = gui_test::run_window(
      "--lesson sentences --example \"The animal didn't cross the street because it was too wide. it =\"", 6);
  REQUIRE(wide.exit_code == 0);
  const nlohmann::json& w = referent_head(wide);
  CHECK(brightness(cell_pixel(wide, w, 13, 5)) > brightness(cell_pixel(wide, w, 13, 1)) + 200);
}

TEST_CASE("training advances the step and changes the heatmaps, Pause stops it", "[gui][train]") {
  const gui_test::Run still = gui_test::run_window("--no-settings --lesson induction", 30);
  const gui_test::Run trained = gui_test::run_window("--no-settings --lesson induction --key f5@2", 30);
  REQUIRE(still.exit_code == 0);
  REQUIRE(trained.exit_code == 0);
  CHECK(still.layout["train"]["step"] == 600);
  CHECK_FALSE(still.layout["train"]["running"].get<bool>());
  CHECK(trained.layout["train"]["step"].get<int>() > 600);
  CHECK(trained.layout["train"]["running"].get<bool>());
  // Some cell of some head changed color as the weights moved.
  int changed = 0;
  for (int head = 0; head < 4; ++head) {
    const nlohmann::json* a = gui_test::find_heatmap(still.layout, "attention", head, 0);
    const nlohmann::json* b = gui_test::find_heatmap(trained.layout, "attention", head, 0);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    for (int r = 0; r < 15; ++r)
      for (int c = 0; c <= r; ++c)
        changed += brightness(cell_pixel(still, *a, r, c)) != brightness(cell_pixel(trained, *b, r, c));
  }
  CHECK(changed > 0);

  const gui_test::Run paused = gui_test::run_window("--no-settings --lesson induction --key f5@2 --key f5@8", 30);
  REQUIRE(paused.exit_code == 0);
  CHECK_FALSE(paused.layout["train"]["running"].get<bool>());
  const std::string message = paused.layout["train"]["message"];
  CHECK(message == "Paused at step " + std::to_string(paused.layout["train"]["step"].get<int>()));
}

TEST_CASE("scrubbing the timeline to step 0 shows the first snapshot's colors", "[gui][train]") {
  const gui_test::Run fresh = gui_test::run_window("--no-settings --new induction", 30);
  const gui_test::Run back =
      gui_test::run_window("--no-settings --new induction --key f5@2 --key f5@25 --key home@27", 30);
  REQUIRE(fresh.exit_code == 0);
  REQUIRE(back.exit_code == 0);
  CHECK(fresh.layout["train"]["step"] == 0);
  CHECK(back.layout["train"]["step"].get<int>() > 0);  // trained on (a few steps under ASan, many here)
  CHECK(back.layout["train"]["shown_step"] == 0);
  int compared = 0;
  for (int layer = 0; layer < 2; ++layer)
    for (int head = 0; head < 4; ++head) {
      const nlohmann::json* a = gui_test::find_heatmap(fresh.layout, "attention", head, layer);
      const nlohmann::json* b = gui_test::find_heatmap(back.layout, "attention", head, layer);
      REQUIRE(a != nullptr);
      REQUIRE(b != nullptr);
      for (int r = 0; r < 15; ++r)
        for (int c = 0; c <= r; ++c, ++compared)
          CHECK(brightness(cell_pixel(fresh, *a, r, c)) == brightness(cell_pixel(back, *b, r, c)));
    }
  CHECK(compared == 8 * 120);
}

TEST_CASE("knocking out the induction head raises the displayed loss", "[gui][train]") {
  const gui_test::Run normal = gui_test::run_window("--no-settings --lesson induction", 6);
  const gui_test::Run knocked = gui_test::run_window("--no-settings --lesson induction --knock-out 2:1", 6);
  REQUIRE(knocked.exit_code == 0);
  CHECK(knocked.layout["train"]["knocked_out"][4] == 1);
  const float before = normal.layout["train"]["loss"], after = knocked.layout["train"]["loss"];
  CHECK(after > before + 0.05f);
}

TEST_CASE("Ctrl+M switches between Explore and Train", "[gui][train]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --lesson induction --key ctrl+m@2", 5);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "explore");
  const gui_test::Run explore = gui_test::run_window("--no-settings --text 'a b c'", 4);
  CHECK(explore.layout["mode"] == "explore");
  CHECK(explore.layout["tokens"] == 3);
}

TEST_CASE("Ctrl+E in Train mode saves the model view as a figure", "[gui][train][export]") {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);
  const gui_test::Run run = gui_test::run_window("--no-settings --lesson reverse --key ctrl+e@3", 6, env);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(home.path / "Pictures"))
    names.push_back(e.path().filename().string());
  REQUIRE(names.size() == 1);
  CHECK(names[0].find("_model_") != std::string::npos);
  CHECK(names[0].substr(names[0].size() - 4) == ".png");
  CHECK(std::filesystem::file_size(home.path / "Pictures" / names[0]) > 10000);
}

TEST_CASE("a fresh model from --new TASK --heads H has H heads", "[gui][train]") {
  for (int heads : {2, 8}) {
    const gui_test::Run run = gui_test::run_window("--no-settings --new induction --heads " + std::to_string(heads), 4);
    REQUIRE(run.exit_code == 0);
    INFO(run.stderr_text);
    CHECK(run.stderr_text.find("--heads") == std::string::npos);
    CHECK(run.layout["train"]["knocked_out"].size() == static_cast<std::size_t>(2 * heads));  // 2 layers x H
  }
}

TEST_CASE("a knock-out on a scrubbed-back step shows that step's knocked-out loss", "[gui][train]") {
  // The lesson opens at step 600; the knocked-out loss there is the truth for the scrubbed view.
  const gui_test::Run at_600 = gui_test::run_window("--no-settings --lesson induction --knock-out 2:1", 6);
  const gui_test::Run back =
      gui_test::run_window("--no-settings --lesson induction --knock-out 2:1 --key f5@2 --key f5@12 --key home@16", 30);
  REQUIRE(at_600.exit_code == 0);
  REQUIRE(back.exit_code == 0);
  REQUIRE(back.layout["train"]["step"].get<int>() > 600);
  REQUIRE(back.layout["train"]["shown_step"] == 600);
  CHECK(back.layout["train"]["loss"].get<float>() == Approx(at_600.layout["train"]["loss"].get<float>()).margin(1e-5));
}

namespace {

// The first word of the answer line ("next after “=”: animal 97% …") in a --layout record.
std::string first_answer(const gui_test::Run& run) {
  const auto& texts = run.layout["texts"];
  for (std::size_t i = 0; i + 1 < texts.size(); ++i)
    if (texts[i]["text"].get<std::string>().rfind("next after", 0) == 0) return texts[i + 1]["text"];
  return "";
}

}  // namespace

TEST_CASE("the answer line shows the sentences lesson's answer and follows the adjective", "[gui][train]") {
  const gui_test::Run tired = gui_test::run_window("--no-settings --lesson sentences", 6);
  REQUIRE(tired.exit_code == 0);
  CHECK(first_answer(tired) == "animal");
  const gui_test::Run wide = gui_test::run_window(
      "--no-settings --lesson sentences --example \"The animal didn't cross the street because it was too wide. it =\"",
      6);
  REQUIRE(wide.exit_code == 0);
  CHECK(first_answer(wide) == "street");
  // A knock-out adds what the answer was before it ("knock-out: answer animal 100% → …").
  const gui_test::Run knocked = gui_test::run_window("--no-settings --lesson sentences --knock-out 2:2", 6);
  bool before = false;
  for (const auto& t : knocked.layout["texts"])
    before |= t["text"].get<std::string>().rfind("knock-out: answer animal", 0) == 0;
  CHECK(before);
}

namespace {

// The text of the first --layout text of `kind` that contains `part`, or "".
std::string text_with(const nlohmann::json& layout, const std::string& kind, const std::string& part) {
  for (const auto& t : layout["texts"])
    if (t["kind"] == kind && t["text"].get<std::string>().find(part) != std::string::npos) return t["text"];
  return "";
}

}  // namespace

TEST_CASE("a knock-out shows the answer and the loss before and after and the head's title says it is out",
          "[gui][train]") {
  // 1600x1000: both layers' heads on one page.
  const gui_test::Run intact = gui_test::run_window_sized("--no-settings --lesson sentences", 1600, 1000, 8, false);
  REQUIRE(intact.exit_code == 0);
  CHECK(text_with(intact.layout, "knock_out_change", "").empty());
  CHECK_FALSE(text_with(intact.layout, "head_title", "L2 H2 \xC2\xB7 referent").empty());

  const gui_test::Run knocked =
      gui_test::run_window_sized("--no-settings --lesson sentences --knock-out 2:2", 1600, 1000, 10, false);
  INFO(knocked.stderr_text);
  REQUIRE(knocked.exit_code == 0);
  const std::string change = text_with(knocked.layout, "knock_out_change", "knock-out: answer ");
  INFO(change);
  REQUIRE_FALSE(change.empty());
  // "knock-out: answer animal 100% → animal 99% · loss 0.001 → 0.078"
  const std::size_t loss_at = change.find("loss ");
  REQUIRE(loss_at != std::string::npos);
  const std::string arrow = "\xE2\x86\x92";
  CHECK(change.find(arrow) < loss_at);  // the answer before -> after
  const std::size_t loss_arrow = change.find(arrow, loss_at);
  REQUIRE(loss_arrow != std::string::npos);
  const float before = std::stof(change.substr(loss_at + 5)),
              after = std::stof(change.substr(loss_arrow + arrow.size()));
  const float intact_loss = intact.layout["train"]["loss"], shown_loss = knocked.layout["train"]["loss"];
  CHECK(before == Approx(intact_loss).margin(0.0006));  // the intact model's loss, as printed (3 decimals)
  CHECK(after == Approx(shown_loss).margin(0.0006));    // the knocked-out loss the window shows
  CHECK(after > before);
  // The controls say it too; the knocked-out head claims no detector score.
  CHECK_FALSE(text_with(knocked.layout, "label", "loss ").find(arrow) == std::string::npos);
  CHECK_FALSE(text_with(knocked.layout, "head_title", "L2 H2 \xC2\xB7 kn").empty());  // "knocked out", maybe shortened
  CHECK(text_with(knocked.layout, "head_title", "L2 H2 \xC2\xB7 referent").empty());
}

TEST_CASE("the first start trains the sentences lesson from step 0 and the next start opens Train mode as saved",
          "[gui][train]") {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);  // settings kept between the two runs
  const gui_test::Run first = gui_test::run_window("", 12, env);
  INFO(first.stderr_text);
  REQUIRE(first.exit_code == 0);
  CHECK(first.layout["mode"] == "train");
  CHECK(first.layout["train"]["task"] == "sentences");
  CHECK(first.layout["status"].get<std::string>().find("learns from step 0") != std::string::npos);
  // A fresh model training (or done training), not the shipped lesson opened at its last step.
  const std::string message = first.layout["train"]["message"];
  INFO(message);
  CHECK((message.rfind("Training to step", 0) == 0 || message.rfind("Reached the target", 0) == 0 ||
         message.rfind("New model", 0) == 0));
  // The settings it saved restore Train mode on the sentences lesson, as any later start does.
  const gui_test::Run next = gui_test::run_window("", 6, env);
  INFO(next.stderr_text);
  REQUIRE(next.exit_code == 0);
  CHECK(next.layout["mode"] == "train");
  CHECK(next.layout["train"]["task"] == "sentences");
  CHECK(next.layout["train"]["running"] == false);
  CHECK(next.layout["train"]["message"].get<std::string>().rfind("Opened a model at step", 0) == 0);
}
