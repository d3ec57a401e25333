// Train mode on text in the real window under Xvfb: English text and a text file appear as tasks,
// a BPE is learned and training starts, the curve shows bits per byte with the unigram and bigram
// baselines as labelled dashed lines, and a bad text file is a message that leaves the last state.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "gui_harness.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCorpus = (fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "bpe" / "train_corpus.txt").string();

const nlohmann::json* text_of(const nlohmann::json& layout, const std::string& kind, const std::string& starts) {
  for (const auto& t : layout["texts"])
    if (t["kind"] == kind && t["text"].get<std::string>().rfind(starts, 0) == 0) return &t;
  return nullptr;
}

// Pixels of the baselines' blue (120, 170, 255) in the band under a baseline's label, where its
// dashed line runs.
int blue_under(const gui_test::Run& run, const nlohmann::json& label) {
  const int x0 = static_cast<int>(label["x"].get<float>()), y0 = static_cast<int>(label["y"].get<float>());
  const int h = static_cast<int>(label["h"].get<float>());
  int blue = 0;
  for (int y = y0 + h * 3 / 4; y <= y0 + h * 3 / 2 && y < run.screenshot.height; ++y)
    for (int x = x0; x < x0 + 12 * h && x < run.screenshot.width; ++x) {
      const unsigned char* px = run.screenshot.at(x, y);
      blue += std::abs(px[0] - 120) < 30 && std::abs(px[1] - 170) < 30 && px[2] > 220;
    }
  return blue;
}

void check_text_curves(const gui_test::Run& run) {
  const nlohmann::json& train = run.layout["train"];
  CHECK(train["task"] == "text");
  CHECK(train["unigram_bpb"].get<double>() > train["bigram_bpb"].get<double>());
  CHECK(train["bigram_bpb"].get<double>() > 0.5);
  CHECK(train["bits_per_byte"].get<double>() > 0.0);
  CHECK(gui_test::has_text(run.layout, "plot_label", "bits per byte"));
  for (const char* baseline : {"unigram ", "bigram "}) {
    INFO(baseline);
    const nlohmann::json* label = text_of(run.layout, "plot_label", baseline);
    REQUIRE(label != nullptr);
    CHECK(blue_under(run, *label) > 10);  // its dashed line is drawn
  }
  CHECK(gui_test::has_text(run.layout, "label", "bits per byte"));
  CHECK_FALSE(gui_test::has_text(run.layout, "plot_label", "accuracy"));
  const std::vector<std::string> problems = gui_test::text_problems(run.layout);
  INFO((problems.empty() ? std::string() : problems.front()));
  CHECK(problems.empty());
}

}  // namespace

TEST_CASE("Train mode trains on a text file and draws bits per byte beside its baselines", "[gui][train][text]") {
  const gui_test::Run run =
      gui_test::run_window("--no-settings --new sentences --text-file " + kCorpus + "@1 --key f5@3", 24);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json& train = run.layout["train"];
  CHECK(train["text_file"] == kCorpus);
  CHECK(train["step"].get<int>() > 0);
  CHECK(gui_test::has_text(run.layout, "combo", "text: train_corpus.txt"));
  check_text_curves(run);
  // The model view reads the example through the BPE: fewer tokens than bytes, each labelled.
  CHECK(train["tokens"].get<int>() > 5);
  CHECK(train["tokens"].get<int>() < 40);
  CHECK(gui_test::label_problems(run.layout, 40).empty());
}

TEST_CASE("a bad text file is a message naming it and the model trained on the last one stays", "[gui][train][text]") {
  gui_test::TempDir dir;
  const std::string bad = (dir.path / "scan.txt").string();
  std::ofstream(bad, std::ios::binary) << std::string("%PDF-1.4\n\0\0binary", 17);
  const gui_test::Run run =
      gui_test::run_window("--no-settings --new sentences --text-file " + kCorpus + "@1 --text-file " + bad +
                               "@4 --text-file " + dir.path.string() + "@5",
                           8);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.stderr_text, Catch::Contains(bad) && Catch::Contains("binary"));
  CHECK_THAT(run.stderr_text, Catch::Contains(dir.path.string()) && Catch::Contains("folder"));
  const nlohmann::json& train = run.layout["train"];
  CHECK(train["task"] == "text");
  CHECK(train["text_file"] == kCorpus);
  CHECK(gui_test::has_text(run.layout, "combo", "text: train_corpus.txt"));
  check_text_curves(run);
}

TEST_CASE("English text trains on the bundled corpus and says how to build it when it is missing",
          "[gui][train][text]") {
  const gui_test::Run english = gui_test::run_window("--no-settings --new text --key f5@2", 12);
  INFO(english.stderr_text);
  REQUIRE(english.exit_code == 0);
  CHECK(english.layout["train"]["text_file"] == "");
  CHECK(english.layout["train"]["vocab"] == 4096);
  CHECK(gui_test::has_text(english.layout, "combo", "English text"));
  check_text_curves(english);

  // Without the corpus: the message, and the window still runs (no model to show yet).
  gui_test::TempDir empty;
  const gui_test::Run missing =
      gui_test::run_window("--no-settings --new text", 4, "ATTNLAB_DATA_DIR=" + empty.path.string());
  REQUIRE(missing.exit_code == 0);
  CHECK_THAT(missing.stderr_text, Catch::Contains("bash bootstrap.sh corpus"));
}

TEST_CASE("English text on a projector and at 1600x1000: every text readable and every head labelled",
          "[gui][train][text][layout]") {
  for (const std::string& args :
       {std::string("--no-settings --new text --scale 2 --fullscreen"), std::string("--no-settings --new text")}) {
    const bool projector = args.find("--fullscreen") != std::string::npos;
    const gui_test::Run run =
        gui_test::run_window_sized(args, projector ? 1024 : 1600, projector ? 768 : 1000, 5, false);
    INFO(args << "\n" << run.stderr_text);
    REQUIRE(run.exit_code == 0);
    const std::vector<std::string> problems = gui_test::text_problems(run.layout);
    std::string listed;
    for (std::size_t i = 0; i < problems.size() && i < 8; ++i) listed += "  " + problems[i] + "\n";
    INFO(problems.size() << " layout problems:\n" << listed);
    CHECK(problems.empty());
    const std::vector<std::string> missing = gui_test::label_problems(run.layout, 16);
    INFO(missing.size() << " maps without labels, the first: " << (missing.empty() ? "" : missing.front()));
    CHECK(missing.empty());
  }
}
