// The model's answer: top-k next tokens from a run's logits, in words, and the sentences lesson
// answering by the adjective ("tired" -> animal, "wide" -> street).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/model_run.hpp"
#include "core/predictions.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/model/predict.hpp"

TEST_CASE("top_next_tokens is the softmax's k largest, most likely first", "[predictions]") {
  const std::vector<float> logits{1.0f, 3.0f, -2.0f, 3.0f, 0.5f};
  const auto top = attn::top_next_tokens(logits.data(), 5, 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].id == 1);  // a tie goes to the smaller id
  CHECK(top[1].id == 3);
  CHECK(top[2].id == 0);
  double sum = 0.0;
  for (float l : logits) sum += std::exp(static_cast<double>(l) - 3.0);
  CHECK(top[0].probability == Approx(1.0 / sum).epsilon(1e-6));
  CHECK(top[2].probability == Approx(std::exp(-2.0) / sum).epsilon(1e-6));
  CHECK(attn::top_next_tokens(logits.data(), 5, 99).size() == 5);
  CHECK(attn::top_next_tokens(logits.data(), 5, 0).empty());
  const float bad[2] = {0.0f, NAN};
  CHECK_THROWS_AS(attn::top_next_tokens(bad, 2, 1), std::invalid_argument);
}

TEST_CASE("the sentences lesson answers animal for tired and street for wide", "[predictions][lesson]") {
  const attn::Checkpoint ck =
      attn::load_checkpoint(std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/sentences.npz");
  const auto answer = [&](const std::string& adjective) {
    const std::string text = "The animal didn't cross the street because it was too " + adjective + ". it =";
    const app::ModelRun run = app::run_model(ck.model, attn::Vocab(ck.vocab), app::lower_cases(ck), text);
    const int last = static_cast<int>(run.input.ids.size()) - 1;
    return app::predictions_after(run, ck.vocab, last, 5);
  };
  const auto tired = answer("tired"), wide = answer("wide");
  REQUIRE(tired.size() == 5);
  CHECK(tired[0].token == "animal");
  CHECK(tired[0].probability > 0.5f);
  CHECK(tired[0].probability >= tired[1].probability);
  REQUIRE(wide.size() == 5);
  CHECK(wide[0].token == "street");
  CHECK(answer("tired").front().id == tired.front().id);  // the same text, the same answer
  const app::ModelRun run = app::run_model(ck.model, attn::Vocab(ck.vocab), true, "it =");
  CHECK(app::predictions_after(run, ck.vocab, 2, 5).empty());  // past the last token: nothing
  CHECK(app::predictions_after(run, ck.vocab, -1, 5).empty());
}
