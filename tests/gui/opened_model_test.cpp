// A Hugging Face GPT-2 folder in the real window: its tokens, every layer's heads, the
// predictions, and folders or sentences it cannot take leaving the window usable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/hf_run.hpp"
#include "core/model_host.hpp"
#include "engine/model/predict.hpp"
#include "engine/text/token_text.hpp"
#include "gui/gui_harness.hpp"

namespace {

const std::string kFolder = std::string(ATTN_TEST_DATA_DIR) + "/engine/gpt2/f32_prefixed_tied";  // 2 layers x 4 heads

}  // namespace

TEST_CASE("the window opens a GPT-2 folder given to --model in Explore with its tokens, heads and predictions",
          "[gui]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat sat'");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "explore");
  const nlohmann::json& opened = run.layout["opened_model"];
  REQUIRE(opened.is_object());
  CHECK(opened["layers"] == 2);
  CHECK(opened["layer"] == 0);
  CHECK(opened["error"] == "");
  // The window's tokens are the folder tokenizer's, as `dump --model DIR --text` writes them.
  const attn::HfGpt2 hf = attn::load_hf_gpt2(kFolder);
  const std::vector<std::int32_t> ids = app::hf_encode_text(hf, "The cat sat");
  CHECK(opened["ids"].get<std::vector<std::int32_t>>() == ids);
  CHECK(run.layout["tokens"] == ids.size());
  CHECK(run.layout["chips"].size() == ids.size());
  for (int head = 0; head < 4; ++head) {
    const nlohmann::json* h = gui_test::find_heatmap(run.layout, "attention", head);
    REQUIRE(h != nullptr);
    CHECK((*h)["rows"] == ids.size());
  }
  CHECK(gui_test::has_text(run.layout, "caption", "GPT-2 from f32_prefixed_tied"));
  CHECK(gui_test::has_text(run.layout, "slider", "1 of 2"));     // the layer shown
  CHECK(gui_test::has_text(run.layout, "label", "next after"));  // the predictions under the heads
  // The picker names it, and says why the random-weight knobs are gone.
  CHECK(gui_test::has_text(run.layout, "combo", "f32_prefixed_tied"));
  CHECK(gui_test::has_text(run.layout, "label", "GPT-2 has 4 heads of 8 in each of its 2 layers"));
  CHECK(opened["name"] == "f32_prefixed_tied");
}

TEST_CASE("the bracket keys move through the layers of an opened model", "[gui]") {
  const gui_test::Run up = gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat' --key ]@2", 5);
  INFO(up.stderr_text);
  REQUIRE(up.exit_code == 0);
  CHECK(up.layout["opened_model"]["layer"] == 1);
  CHECK(gui_test::has_text(up.layout, "slider", "2 of 2"));
  // Past the last layer it stays; [ goes back.
  const gui_test::Run back =
      gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat' --key ]@2 --key ]@4 --key [@6", 9);
  REQUIRE(back.exit_code == 0);
  CHECK(back.layout["opened_model"]["layer"] == 0);
}

TEST_CASE("a sentence longer than the model's context shows its first tokens and says so", "[gui]") {
  std::string long_text;
  for (int i = 0; i < 80; ++i) long_text += "word ";
  const gui_test::Run run = gui_test::run_window("--no-settings --model " + kFolder + " --text '" + long_text + "'");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json& opened = run.layout["opened_model"];
  CHECK(opened["error"] == "");
  const auto typed = app::hf_encode_text(attn::load_hf_gpt2(kFolder), long_text);
  REQUIRE(typed.size() > 64);
  CHECK(opened["tokens_typed"] == typed.size());
  CHECK(opened["ids"].get<std::vector<std::int32_t>>() == std::vector<std::int32_t>(typed.begin(), typed.begin() + 64));
  CHECK(run.layout["tokens"] == 64);  // n_positions
  CHECK(gui_test::has_text(run.layout, "error",
                           "Showing the first 64 of the sentence's " + std::to_string(typed.size())));
}

TEST_CASE("a folder that is not a readable GPT-2 model falls back to random weights with the reason", "[gui]") {
  gui_test::TempDir dir;
  const std::string bad = (dir.path / "broken").string();
  std::filesystem::create_directories(bad);
  std::ofstream(bad + "/config.json") << R"({"model_type": "bert"})";
  const gui_test::Run run = gui_test::run_window("--no-settings --model " + bad + " --text 'The cat sat'");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "explore");
  CHECK(run.layout["opened_model"].is_null());  // random weights again
  CHECK(run.layout["tokens"] == 3);
  const std::string status = run.layout["status"];
  CHECK(status.find("Model not opened") != std::string::npos);
  CHECK(status.find("gpt2") != std::string::npos);  // names the types it supports
}

TEST_CASE("hovering a token of an opened model shows the predictions after that token", "[gui]") {
  const attn::HfGpt2 hf = attn::load_hf_gpt2(kFolder);
  const std::vector<std::int32_t> ids = app::hf_encode_text(hf, "The cat sat");
  REQUIRE(ids.size() >= 3);
  const std::string second = attn::token_text(attn::gpt2_token_bytes(hf.vocab[static_cast<std::size_t>(ids[1])]));
  const gui_test::Run run =
      gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat sat' --hover-token 1", 8);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(gui_test::has_text(run.layout, "label", "next after \xE2\x80\x9C" + second + "\xE2\x80\x9D"));
}

TEST_CASE("Ctrl+E with an opened model exports the shown layer's heads as the command line does", "[gui][export]") {
  gui_test::TempDir home;
  const std::string env = gui_test::pictures_home_env(home);
  const gui_test::Run run = gui_test::run_window(
      "--no-settings --model " + kFolder + " --text 'The cat sat' --key ]@2 --key ctrl+e@4", 8, env);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(home.path / "Pictures")) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].extension() == ".png");
  // The same figure from `attnlab export` of layer 2 with the window's look (dark, scale 2).
  const std::string cli = (home.path / "cli.png").string();
  const std::string command = std::string(ATTNLAB_BIN) + " export --model " + kFolder +
                              " --text 'The cat sat' --layer 2 --what grid --theme dark --scale 2 --out " + cli;
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream a(files[0], std::ios::binary), b(cli, std::ios::binary);
  const std::string window_png((std::istreambuf_iterator<char>(a)), {}),
      cli_png((std::istreambuf_iterator<char>(b)), {});
  CHECK(window_png.size() > 10000);
  CHECK(window_png == cli_png);
}

TEST_CASE("O shows every layer and head of an opened model at once with nothing cut", "[gui]") {
  const gui_test::Run run =
      gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat sat. The cat sat.' --key o@2", 6);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  int thumbnails = 0;
  for (const auto& h : run.layout["heatmaps"]) thumbnails += h["matrix"] == "thumbnail";
  CHECK(thumbnails == 2 * 4);
  CHECK(gui_test::has_text(run.layout, "axis", "L2"));
  CHECK(gui_test::has_text(run.layout, "axis", "H4"));
  CHECK(gui_test::has_text(run.layout, "button", "One layer"));
  CHECK(gui_test::has_text(run.layout, "label", "next after"));
  CHECK(gui_test::text_problems(run.layout).empty());
}

TEST_CASE("Continue (N) appends the opened model's most likely next token at sampling temperature 0", "[gui]") {
  const gui_test::Run run =
      gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat' --key n@2 --key n@4", 7);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  // The same two greedy steps through the engine.
  const auto model = app::open_model_path(kFolder);
  std::string text = "The cat";
  for (int step = 0; step < 2; ++step) {
    const app::ModelResult r = app::compute_model_result(*model, text);
    const std::size_t n = r.run.input.ids.size(), V = model->token_bytes.size();
    const auto top = attn::top_next_tokens(r.run.acts.logits.data() + (n - 1) * V, static_cast<int>(V), 1);
    text += model->bpe.token_bytes(top[0].id);
  }
  // (the layout's JSON turns bytes that are not UTF-8 into U+FFFD: compare the tokens)
  CHECK(run.layout["opened_model"]["ids"].get<std::vector<std::int32_t>>() == model->bpe.encode(text));
  CHECK(run.layout["status"].get<std::string>().find("Continued with") != std::string::npos);
}

TEST_CASE("I shows which heads of an opened model matter for the sentence", "[gui]") {
  const gui_test::Run run =
      gui_test::run_window("--no-settings --model " + kFolder + " --text 'The cat sat' --key i@2", 6);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json* map = gui_test::find_heatmap(run.layout, "importance", 0);
  REQUIRE(map != nullptr);
  CHECK((*map)["rows"] == 2);
  CHECK((*map)["cols"] == 4);
  CHECK(gui_test::has_text(run.layout, "label", "Which heads matter"));
  CHECK(gui_test::has_text(run.layout, "axis", "L2"));
  CHECK_FALSE(gui_test::has_text(run.layout, "progress", "of 8 heads"));  // finished
  CHECK(gui_test::text_problems(run.layout).empty());
}

namespace {
const std::string kModels = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/";
}  // namespace

TEST_CASE("the English lesson opens in Explore and reads any sentence through its own BPE", "[gui]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --lesson english --text 'The cat sat on the mat.'");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "explore");
  const nlohmann::json& opened = run.layout["opened_model"];
  REQUIRE(opened.is_object());
  CHECK(opened["name"] == "the English lesson");
  CHECK(opened["layers"] == 2);
  const attn::Checkpoint ck = attn::load_checkpoint(kModels + "english.npz");
  CHECK(opened["ids"].get<std::vector<std::int32_t>>() == ck.tokenizer->encode("The cat sat on the mat."));
  CHECK(gui_test::has_text(run.layout, "combo", "The English lesson"));
  CHECK(gui_test::has_text(run.layout, "label", "It has 4 heads of 32 in each of its 2 layers"));
  CHECK(gui_test::has_text(run.layout, "caption", "trained on text"));
  CHECK(run.layout["recent_models"][0] == std::filesystem::path(kModels + "english.npz").lexically_normal().string());
}

TEST_CASE("the model picker goes from random weights to a model and back and remembers it", "[gui]") {
  const gui_test::Run run =
      gui_test::run_window("--no-settings --mode explore --text 'The cat sat' --pick-model " + kFolder + "@2", 8);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.layout["opened_model"].is_object());
  CHECK(run.layout["opened_model"]["name"] == "f32_prefixed_tied");
  CHECK(run.layout["recent_models"][0] == kFolder);
  const gui_test::Run back = gui_test::run_window(
      "--no-settings --mode explore --text 'The cat sat' --pick-model " + kFolder + "@2 --pick-model random@6", 10);
  REQUIRE(back.exit_code == 0);
  CHECK(back.layout["opened_model"].is_null());
  CHECK(back.layout["tokens"] == 3);  // the explorer's words
  CHECK(gui_test::has_text(back.layout, "combo", "Random weights"));
  CHECK(back.layout["recent_models"][0] == kFolder);  // still offered
}

TEST_CASE("picking Train mode's model when it learned a toy task says why and changes nothing", "[gui]") {
  const gui_test::Run run =
      gui_test::run_window("--no-settings --model " + kModels + "induction.npz --pick-model trained@3", 6);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "train");
  CHECK(run.layout["opened_model"].is_null());
  const std::string status = run.layout["status"];
  CHECK_THAT(status, Catch::Contains("learned the induction task"));
}

TEST_CASE("a toy task's checkpoint picked as a file opens in Train mode as before", "[gui]") {
  const gui_test::Run run = gui_test::run_window(
      "--no-settings --mode explore --text 'The cat sat' --pick-model " + kModels + "reverse.npz@2", 6);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "train");
  CHECK(run.layout["train"]["task"] == "reverse");
}

TEST_CASE("Train mode's English model opens in Explore through the picker", "[gui]") {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::string(ATTN_TEST_DATA_DIR) + "/../assets/corpus/english/english-train.txt",
                                        ec)) {
    WARN("the English corpus is not built (bash bootstrap.sh corpus): Train mode cannot hold the English model");
    return;
  }
  const gui_test::Run run = gui_test::run_window(
      "--no-settings --mode train --model " + kModels + "english.npz --pick-model trained@3 --text 'Once upon a time'",
      8);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "explore");
  const nlohmann::json& opened = run.layout["opened_model"];
  REQUIRE(opened.is_object());
  CHECK(opened["name"] == "the model trained in Train mode");
  CHECK(opened["ids"].size() > 0);
}

TEST_CASE("a model trained on English in Train mode reads a sentence in Explore through the picker", "[gui]") {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::string(ATTN_TEST_DATA_DIR) + "/../assets/corpus/english/english-train.txt",
                                        ec)) {
    WARN("the English corpus is not built (bash bootstrap.sh corpus): Train mode cannot train on English");
    return;
  }
  // A fresh text model (its BPE learned on the corpus first), then Explore's picker takes it.
  const gui_test::Run run = gui_test::run_window(
      "--no-settings --new text --pick-model trained@6 --text 'Once upon a time there was a cat'", 10);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.layout["mode"] == "explore");
  const nlohmann::json& opened = run.layout["opened_model"];
  REQUIRE(opened.is_object());
  CHECK(opened["name"] == "the model trained in Train mode");
  CHECK(opened["error"] == "");
  CHECK(opened["ids"].size() > 3);             // BPE pieces of the sentence
  CHECK(run.layout["recent_models"].empty());  // Train mode's model has no file to remember
}

TEST_CASE("Q, K and V keep their token labels for a sentence too long for the room: the panel scrolls", "[gui]") {
  // The test folder's small tokenizer reads the example sentence as 29 tokens; below the heads at
  // 1600x1000 that leaves under 10 px a row, too little for a label.
  const gui_test::Run run = gui_test::run_window_sized("--no-settings --model " + kFolder, 1600, 1000, 6, false);
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.layout["tokens"] == 29);
  CHECK(gui_test::text_problems(run.layout).empty());
  for (const char* matrix : {"Q", "K", "V", "head output"}) {
    INFO(matrix);
    const nlohmann::json* h = gui_test::find_heatmap(run.layout, matrix, 0);
    REQUIRE(h != nullptr);
    const float x = (*h)["x"].get<float>(), y = (*h)["y"].get<float>(), cell = (*h)["h"].get<float>() / 29.0f;
    const float top = (*h)["visible"][0].get<float>(), bottom = (*h)["visible"][1].get<float>();
    CHECK(cell >= 12.0f);                          // rows as tall as a readable label
    CHECK(bottom - top < (*h)["h"].get<float>());  // the rest is a scroll away
    // Every row in view has its label at its left.
    int labels = 0;
    for (const nlohmann::json& t : run.layout["texts"])
      if (t["kind"] == "row_label" && t["x"].get<float>() < x && t["x"].get<float>() > x - 200.0f &&
          t["y"].get<float>() >= top - 1.0f && t["y"].get<float>() + t["h"].get<float>() <= bottom + 1.0f)
        ++labels;
    const int rows_in_view = static_cast<int>((bottom - std::max(y, top)) / cell);
    CHECK(rows_in_view >= 10);
    CHECK(labels >= rows_in_view);
  }
}
