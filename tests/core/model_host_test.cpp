// The model host: a Hugging Face folder loaded and run off the calling thread, the newest sentence
// computed, and every failure (a bad folder, a sentence too long) leaving the last good model and
// result in place with the message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/detector_notes.hpp"
#include "core/hf_run.hpp"
#include "core/model_host.hpp"
#include "temp_dir.hpp"

namespace {

const std::string kFolder = std::string(ATTN_TEST_DATA_DIR) + "/engine/gpt2/f32_prefixed_tied";  // 2 layers, context 64

std::string words(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "word" + std::to_string(i) + " ";
  return s;
}

}  // namespace

TEST_CASE("the model host loads a folder and computes the sentence as dump does", "[model_host]") {
  app::ModelHost host;
  host.open(kFolder);
  host.request("The cat sat.");
  host.wait_idle();
  host.want_all_logits();  // every position's, to compare with dump's
  host.wait_idle();
  const app::ModelHostState s = host.state();
  REQUIRE(s.model);
  REQUIRE(s.result);
  CHECK(s.load_error.empty());
  CHECK(s.error.empty());
  CHECK_FALSE(s.loading);
  CHECK_FALSE(s.busy);
  CHECK(s.model->name == "f32_prefixed_tied");
  CHECK(s.result->text == "The cat sat.");
  // The same ids, activations and layers as the command line's path (dump --model DIR --text).
  const attn::HfGpt2 hf = attn::load_hf_gpt2(kFolder);
  const std::vector<std::int32_t> ids = app::hf_encode_text(hf, "The cat sat.");
  CHECK(s.result->run.input.ids == ids);
  const app::ModelRun run = app::run_hf_ids(hf, ids);
  CHECK(s.result->run.acts.logits == run.acts.logits);
  REQUIRE(s.result->run.n_layers() == 2);
  for (int l = 0; l < 2; ++l) {
    CHECK(s.result->run.layer(l).n_tokens() == ids.size());
    CHECK(s.result->run.layer(l).config.n_heads == 4);
  }
  // What predictions read: each id's bytes (GPT-2's byte characters undone).
  REQUIRE(s.model->token_bytes.size() == 300);
  CHECK(s.model->token_bytes[static_cast<std::size_t>(ids[0])] == s.model->bpe.token_bytes(ids[0]));
}

TEST_CASE("the model host computes only the newest sentence and skips repeats", "[model_host]") {
  app::ModelHost host;
  host.open(kFolder);
  host.request("first");
  host.request("second sentence");
  host.request("the newest one");
  host.wait_idle();
  const auto result = host.state().result;
  REQUIRE(result);
  CHECK(result->text == "the newest one");
  const std::uint64_t request = result->request;
  host.request("the newest one");  // every frame asks again: no new work
  host.wait_idle();
  CHECK(host.state().result->request == request);
  CHECK(host.state().result == result);
}

TEST_CASE("a sentence too long is read up to the context and one the model cannot take keeps the last result",
          "[model_host]") {
  app::ModelHost host;
  host.open(kFolder);
  host.request("a good sentence");
  host.wait_idle();
  auto good = host.state().result;
  REQUIRE(good);
  host.request(words(80));  // more tokens than n_positions (64): the first 64 are read
  host.wait_idle();
  app::ModelHostState s = host.state();
  REQUIRE(s.result);
  CHECK(s.error.empty());
  CHECK(s.result->tokens_typed > 64);
  CHECK(s.result->run.input.ids.size() == 64);
  const std::vector<std::int32_t> typed = s.model->bpe.encode(words(80));
  CHECK(s.result->tokens_typed == typed.size());
  CHECK(s.result->run.input.ids == std::vector<std::int32_t>(typed.begin(), typed.begin() + 64));
  good = s.result;
  host.request("");
  host.wait_idle();
  s = host.state();
  CHECK(s.result == good);
  CHECK_THAT(s.error, Catch::Contains("empty"));
  host.request("good again");
  host.wait_idle();
  s = host.state();
  CHECK(s.error.empty());
  CHECK(s.result->text == "good again");
}

TEST_CASE("a folder that cannot be read leaves the model shown and says which file", "[model_host]") {
  test_support::TempDir dir;
  const std::string bad = dir.path.string() + "/bad";
  std::filesystem::create_directories(bad);
  std::ofstream(bad + "/config.json") << "{ not json";

  app::ModelHost host;
  host.open(bad);  // nothing open yet: no model, the message
  host.request("hello");
  host.wait_idle();
  app::ModelHostState s = host.state();
  CHECK_FALSE(s.model);
  CHECK_FALSE(s.result);
  CHECK_THAT(s.load_error, Catch::Contains("config.json"));
  CHECK(s.load_failures == 1);

  host.open(kFolder);  // the sentence asked for meanwhile is computed with the new model
  host.wait_idle();
  s = host.state();
  REQUIRE(s.model);
  REQUIRE(s.result);
  CHECK(s.result->text == "hello");
  CHECK(s.load_error.empty());
  const auto model = s.model;
  const auto result = s.result;

  host.open(dir.path.string() + "/missing");
  host.wait_idle();
  s = host.state();
  CHECK(s.model == model);  // the previous model and result stay
  CHECK(s.result == result);
  CHECK(s.load_failures == 2);
  CHECK_FALSE(s.load_error.empty());

  host.close();
  s = host.state();
  CHECK_FALSE(s.model);
  CHECK_FALSE(s.result);
  CHECK(s.load_failures == 2);  // counters go on across close()
}

TEST_CASE("the host answers with the last position first and then every position's logits", "[model_host]") {
  const auto model = app::open_model_path(kFolder);
  const app::ModelResult first = app::compute_model_result(*model, "The cat sat on the mat", attn::LogitRows::Last);
  CHECK_FALSE(first.all_logits);
  const app::ModelResult full = app::with_all_logits(*model, first);
  const app::ModelResult direct = app::compute_model_result(*model, "The cat sat on the mat");
  CHECK(full.all_logits);
  CHECK(direct.all_logits);
  CHECK(full.run.acts.logits == direct.run.acts.logits);
  app::ModelHost host;
  host.open(kFolder);
  host.request("The cat sat on the mat");
  host.wait_idle();
  const auto answer = host.state().result;
  REQUIRE(answer);
  CHECK_FALSE(answer->all_logits);  // a keystroke waits for the attention and the last answer only
  host.want_all_logits();           // a hover asks for the rest
  host.wait_idle();
  const auto completed = host.state().result;
  REQUIRE(completed);
  CHECK(completed->all_logits);
  CHECK(completed->request == answer->request);
  CHECK(completed->run.acts.logits == direct.run.acts.logits);
  host.want_all_logits();  // nothing left to do
  host.wait_idle();
  CHECK(host.state().result == completed);
}

TEST_CASE("a sentence's detector cells: previous-token and first-token always and induction only after a repeat",
          "[model_host]") {
  const attn::Sequence s = app::sentence_cells({5, 6, 7, 5, 6});
  const auto cells = [&](attn::Detector d) { return s.cells[static_cast<int>(d)]; };
  REQUIRE(cells(attn::Detector::PreviousToken).size() == 4);
  CHECK(cells(attn::Detector::PreviousToken)[2].query == 3);
  CHECK(cells(attn::Detector::PreviousToken)[2].key == 2);
  REQUIRE(cells(attn::Detector::FirstToken).size() == 4);
  CHECK(cells(attn::Detector::FirstToken)[3].key == 0);
  // 5 at 3 repeats 5 at 0: it attends to what followed (6 at 1); 6 at 4 repeats 6 at 1: to 7 at 2.
  const auto induction = cells(attn::Detector::Induction);
  REQUIRE(induction.size() == 2);
  CHECK(induction[0].query == 3);
  CHECK(induction[0].key == 1);
  CHECK(induction[1].query == 4);
  CHECK(induction[1].key == 2);
  CHECK(app::sentence_cells({1, 2, 3}).cells[static_cast<int>(attn::Detector::Induction)].empty());
  const auto duplicate = cells(attn::Detector::DuplicateToken);
  REQUIRE(duplicate.size() == 2);  // 5 at 3 -> 5 at 0; 6 at 4 -> 6 at 1
  CHECK(duplicate[0].query == 3);
  CHECK(duplicate[0].key == 0);
  CHECK(duplicate[1].key == 1);

  const auto model = app::open_model_path(kFolder);
  const app::ModelResult plain = app::compute_model_result(*model, "The cat sat");
  CHECK(plain.detectors.reported ==
        std::vector<attn::Detector>{attn::Detector::PreviousToken, attn::Detector::Self, attn::Detector::FirstToken});
  const app::ModelResult repeated = app::compute_model_result(*model, "The cat sat. The cat sat.");
  CHECK(repeated.detectors.reported.size() == 5);
  // A score is the head's mean weight on its cells: check one by hand.
  const attn::LayerView l1 = plain.run.layer(0);
  const std::size_t n = l1.n_tokens();
  double sum = 0.0;
  for (std::size_t i = 1; i < n; ++i) sum += l1.attn(2, i, i - 1);
  CHECK(plain.detectors.at(attn::Detector::PreviousToken, 0, 2) ==
        Approx(sum / static_cast<double>(n - 1)).epsilon(1e-5));
}

TEST_CASE("head importance is the change in the answer's log-probability with each head knocked out", "[model_host]") {
  const auto model = app::open_model_path(kFolder);
  const app::ModelResult result = app::compute_model_result(*model, "The cat sat on the mat");
  int updates = 0;
  const app::HeadImportance map = app::head_importance(*model, result, [&](const app::HeadImportance& partial) {
    ++updates;
    CHECK(partial.done == 4 * updates);  // a layer at a time, from the last
    return true;
  });
  CHECK(updates == 2);
  REQUIRE(map.delta.size() == 8);
  CHECK(map.done == 8);
  // Head 3 of layer 1 by hand: the whole forward with it knocked out.
  std::vector<std::uint8_t> mask(8, 0);
  mask[2] = 1;
  const app::ModelResult knocked =
      app::compute_model_result(*model, "The cat sat on the mat", attn::LogitRows::All, mask);
  const std::size_t V = model->token_bytes.size(), last = (result.run.input.ids.size() - 1) * V;
  const auto log_p = [&](const app::ModelResult& r) {
    const float* row = r.run.acts.logits.data() + last;
    double max = row[0], sum = 0.0;
    for (std::size_t i = 0; i < V; ++i) max = std::max(max, static_cast<double>(row[i]));
    for (std::size_t i = 0; i < V; ++i) sum += std::exp(static_cast<double>(row[i]) - max);
    return static_cast<double>(row[map.target]) - max - std::log(sum);
  };
  CHECK(map.base_logprob == Approx(log_p(result)).epsilon(1e-5));
  CHECK(map.delta[2] == Approx(log_p(knocked) - log_p(result)).margin(1e-4));
  // Every head (the sweep splits a layer's heads among threads): each equals its own forward.
  for (std::size_t head = 0; head < 8; ++head) {
    std::vector<std::uint8_t> alone(8, 0);
    alone[head] = 1;
    const app::ModelResult r = app::compute_model_result(*model, "The cat sat on the mat", attn::LogitRows::All, alone);
    INFO("head " << head);
    CHECK(map.delta[head] == Approx(log_p(r) - log_p(result)).margin(1e-4));
  }
  // A head the result already knocked out changes nothing; a sweep told to stop stops.
  const app::HeadImportance again =
      app::head_importance(*model, knocked, [](const app::HeadImportance&) { return false; });
  CHECK(again.done == 4);
  CHECK(std::isnan(again.delta[2]));  // layer 1 was never reached
  const app::HeadImportance whole = app::head_importance(*model, knocked);
  CHECK(whole.delta[2] == 0.0f);
}

TEST_CASE("the host computes the importance map when asked and drops it for a new sentence", "[model_host]") {
  app::ModelHost host;
  host.open(kFolder);
  host.request("The cat sat");
  host.wait_idle();
  CHECK_FALSE(host.state().importance);
  host.want_importance();
  host.wait_idle();
  app::ModelHostState s = host.state();
  REQUIRE(s.importance);
  CHECK(s.importance->of == s.result.get());
  CHECK(s.importance->done == s.importance->total);
  host.request("The cat sat down", std::vector<std::uint8_t>(8, 0));
  host.wait_idle();
  s = host.state();
  CHECK_FALSE(s.importance);
  CHECK(s.result->knocked_out.size() == 8);
  host.request("The cat sat down", std::vector<std::uint8_t>(3, 1));  // the wrong size: refused, result kept
  host.wait_idle();
  CHECK_THAT(host.state().error, Catch::Contains("knock-outs"));
}

namespace {
const std::string kModels = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/";
}  // namespace

TEST_CASE("the host opens a checkpoint trained on text with its own BPE and refuses a toy task's", "[model_host]") {
  CHECK(app::opens_in_explore(kFolder));
  CHECK(app::opens_in_explore(kModels + "english.npz"));
  CHECK_FALSE(app::opens_in_explore(kModels + "induction.npz"));  // Train mode's
  CHECK_FALSE(app::opens_in_explore(kModels + "no-such.npz"));

  std::vector<double> progress;
  const auto english = app::open_model_path(kModels + "english.npz", [&](double f) { progress.push_back(f); });
  CHECK(english->source == app::ModelSource::Checkpoint);
  CHECK(english->bpe.vocab_size() == 4096);
  CHECK(english->token_bytes.size() == 4096);
  CHECK_THAT(english->caption, Catch::Contains("trained on text"));
  CHECK_THAT(english->fixed_why, Catch::Contains("4 heads of 32 in each of its 2 layers"));
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back() == 1.0);
  // The sentence through the host equals the checkpoint's own run (app::run_model, as dump does).
  const attn::Checkpoint ck = attn::load_checkpoint(kModels + "english.npz");
  const app::ModelResult r = app::compute_model_result(*english, "The cat sat on the mat.");
  const app::ModelRun direct = app::run_model(ck.model, ck, "The cat sat on the mat.");
  CHECK(r.run.input.ids == direct.input.ids);
  REQUIRE(r.run.n_layers() == 2);
  CHECK(r.run.acts.layers[1].attn == direct.acts.layers[1].attn);
  const std::size_t V = 4096, last = (r.run.input.ids.size() - 1) * V;
  CHECK(std::equal(r.run.acts.logits.begin() + static_cast<std::ptrdiff_t>(last), r.run.acts.logits.end(),
                   direct.acts.logits.begin() + static_cast<std::ptrdiff_t>(last)));

  CHECK_THROWS_WITH(app::open_model_path(kModels + "induction.npz"), Catch::Contains("trained on the induction task"));
  CHECK_THROWS_WITH(app::open_trained_model(attn::load_checkpoint(kModels + "sort.npz")), Catch::Contains("sort task"));
  const auto trained = app::open_trained_model(ck);
  CHECK(trained->source == app::ModelSource::Trained);
  CHECK(trained->path == app::kTrainedModelPath);
}

TEST_CASE("the host reports how far a folder's weights are read", "[model_host]") {
  std::vector<double> progress;
  const auto model = app::open_model_path(kFolder, [&](double f) { progress.push_back(f); });
  REQUIRE(progress.size() > 10);  // one a tensor
  CHECK(std::is_sorted(progress.begin(), progress.end()));
  CHECK(progress.front() > 0.0);
  CHECK(progress.back() == Approx(1.0));
  // And the host publishes it while loading: finished, it is gone with the bar.
  app::ModelHost host;
  host.open(kFolder);
  host.wait_idle();
  CHECK_FALSE(host.state().loading);
  CHECK(host.state().model);
}

TEST_CASE("the host opens Train mode's model from memory and computes sentences with it", "[model_host]") {
  auto ck = std::make_shared<attn::Checkpoint>(attn::load_checkpoint(kModels + "english.npz"));
  app::ModelHost host;
  host.open(std::shared_ptr<const attn::Checkpoint>(ck));
  host.request("Once upon a time");
  host.wait_idle();
  const app::ModelHostState s = host.state();
  REQUIRE(s.model);
  CHECK(s.model->source == app::ModelSource::Trained);
  REQUIRE(s.result);
  CHECK(s.result->run.input.ids == ck->tokenizer->encode("Once upon a time"));
  // A toy task's model: the message, and the model shown stays.
  host.open(std::make_shared<const attn::Checkpoint>(attn::load_checkpoint(kModels + "induction.npz")));
  host.wait_idle();
  const app::ModelHostState after = host.state();
  CHECK(after.model == s.model);
  CHECK_THAT(after.load_error, Catch::Contains("induction task"));
}

TEST_CASE("switching models while a head sweep runs drops the sweep and shows the new model", "[model_host]") {
  app::ModelHost host;
  host.open(kFolder);
  host.request("The cat sat on the mat because it was warm, and the dog sat on the rug");
  host.wait_idle();
  REQUIRE(host.state().result);
  host.want_importance();
  host.open(kModels + "english.npz");  // at once: the sweep may be at any layer, or not started
  host.request("The cat sat on the mat");
  host.wait_idle();
  const app::ModelHostState s = host.state();
  REQUIRE(s.model);
  CHECK(s.model->source == app::ModelSource::Checkpoint);
  REQUIRE(s.result);
  CHECK(s.result->text == "The cat sat on the mat");
  CHECK(s.error.empty());
  CHECK(s.load_error.empty());
  // Nothing of the old model's sweep is shown for the new model's sentence.
  CHECK((!s.importance || s.importance->of == s.result.get()));
  // Asked again, the map is the new model's.
  host.want_importance();
  host.wait_idle();
  const app::ModelHostState after = host.state();
  REQUIRE(after.importance);
  CHECK(after.importance->of == after.result.get());
  CHECK(after.importance->done == after.importance->total);
  CHECK(after.importance->total == 2 * 4);
}
