// Training end to end: each task trains within a fixed number of steps (loss below a bound, its
// detector above its threshold), runs are bit-identical for one seed, a diverging run keeps its
// last good parameters, and the task generators keep their promises.
#include <catch2/catch.hpp>

#include <cblas.h>

#include <cmath>
#include <limits>

#include "engine/train/trainer.hpp"

namespace {

attn::Evaluation train(const std::string& task, int steps, attn::Arch arch = {}, std::uint64_t seed = 1) {
  openblas_set_num_threads(1);
  attn::TrainSettings settings;
  settings.steps = steps;
  settings.seed = seed;
  std::unique_ptr<attn::Task> t = attn::make_task(task);
  settings.seq_len = t->default_seq_len();
  attn::Trainer trainer(arch, attn::RunOptions{}, settings, std::move(t));
  for (int s = 0; s < steps; ++s) REQUIRE_FALSE(trainer.step().diverged);
  return trainer.evaluate();
}

}  // namespace

TEST_CASE("induction: a previous-token head in layer 1 and an induction head in layer 2 form", "[train]") {
  const attn::Evaluation e = train("induction", 400);  // 2 layers, 4 heads, d_model 64, attention only
  INFO("loss " << e.loss << ", accuracy " << e.accuracy);
  CHECK(e.loss < 1.0f);
  const attn::HeadScore induction = e.detectors.best(attn::Detector::Induction);
  CHECK(induction.layer == 1);
  CHECK(induction.score >= 0.5f);
  const attn::HeadScore previous = e.detectors.best(attn::Detector::PreviousToken);
  CHECK(previous.layer == 0);
  CHECK(previous.score >= 0.4f);
}

TEST_CASE("reverse: the output attends to its source", "[train]") {
  const attn::Evaluation e = train("reverse", 300);
  INFO("loss " << e.loss);
  CHECK(e.loss < 0.5f);
  CHECK(e.detectors.best(attn::Detector::Reverse).score >= 0.5f);
}

TEST_CASE("sort: learns to sort", "[train]") {
  const attn::Evaluation e = train("sort", 500);
  INFO("loss " << e.loss << ", accuracy " << e.accuracy);
  CHECK(e.loss < 0.6f);
  CHECK(e.accuracy > 0.75f);
}

TEST_CASE("sentences: held-out pairs are answered and a head attends to the referent", "[train]") {
  const attn::Evaluation e = train("sentences", 200);
  INFO("loss " << e.loss << ", accuracy " << e.accuracy);
  CHECK(e.accuracy >= 0.9f);
  CHECK(e.detectors.best(attn::Detector::Referent).score >= 0.5f);
}

TEST_CASE("the same seed, task and settings give a bit-identical run", "[train]") {
  openblas_set_num_threads(1);
  attn::TrainSettings settings;
  settings.batch = 8;
  settings.seq_len = 16;
  attn::Arch arch;
  arch.mlp = true;
  attn::Trainer a(arch, attn::RunOptions{}, settings, attn::make_task("induction"));
  attn::Trainer b(arch, attn::RunOptions{}, settings, attn::make_task("induction"));
  for (int s = 0; s < 20; ++s) {
    a.step();
    b.step();
  }
  CHECK(a.model().params == b.model().params);
  settings.seed = 2;
  attn::Trainer c(arch, attn::RunOptions{}, settings, attn::make_task("induction"));
  for (int s = 0; s < 20; ++s) c.step();
  CHECK(a.model().params != c.model().params);
}

TEST_CASE("a diverging run stops updating and keeps the last good parameters", "[train]") {
  attn::TrainSettings settings;
  settings.batch = 4;
  settings.seq_len = 16;
  attn::Trainer fresh(attn::Arch{}, attn::RunOptions{}, settings, attn::make_task("induction"));
  attn::Checkpoint c = fresh.checkpoint();
  // Finite weights whose logits overflow: the loss is not finite.
  for (float& p : c.model.params) p = 1e30f;
  attn::Trainer trainer(c);
  const attn::StepResult r = trainer.step();
  CHECK(r.diverged);
  CHECK_FALSE(std::isfinite(r.loss));
  CHECK(trainer.steps_done() == 0);
  CHECK(trainer.model().params == c.model.params);
}

TEST_CASE("knocking out a head zeroes its output and changes the loss", "[train]") {
  attn::TrainSettings settings;
  settings.batch = 4;
  settings.seq_len = 16;
  attn::Trainer trainer(attn::Arch{}, attn::RunOptions{}, settings, attn::make_task("induction"));
  const float before = trainer.evaluate().loss;
  std::vector<std::uint8_t> knocked(trainer.model().knocked_out.size(), 0);
  knocked[1] = 1;  // layer 1, head 2
  trainer.set_knocked_out(knocked);
  const float after = trainer.evaluate().loss;
  CHECK(after != before);
  CHECK_THROWS_AS(trainer.set_knocked_out({1}), std::invalid_argument);
}

TEST_CASE("tasks: targets, detector cells and vocabularies are consistent", "[train]") {
  for (std::string_view name : attn::task_names()) {
    INFO(name);
    const auto task = attn::make_task(name);
    REQUIRE(task);
    CHECK(task->vocab().words[0] == "<pad>");
    CHECK(task->vocab().words[1] == "<unk>");
    std::uint64_t rng = 3;
    for (int i = 0; i < 50; ++i) {
      const attn::Sequence s = task->sample(rng, task->default_seq_len(), i % 2 == 1);
      REQUIRE(s.ids.size() <= static_cast<std::size_t>(task->default_seq_len()));
      REQUIRE(s.targets.size() == s.ids.size());
      int counted = 0;
      for (std::size_t t = 0; t < s.ids.size(); ++t) {
        CHECK(s.ids[t] >= 2);  // never <pad> or <unk> inside a sequence
        CHECK(s.ids[t] < task->vocab().size());
        if (s.targets[t] < 0) continue;
        ++counted;
        // Teacher forcing: the target is the next token of the sequence.
        REQUIRE(t + 1 < s.ids.size());
        CHECK(s.targets[t] == s.ids[t + 1]);
      }
      CHECK(counted > 0);
      for (const auto& cells : s.cells)
        for (const attn::Cell& c : cells) {
          CHECK(c.key <= c.query);  // every detector looks back, so it works for causal models
          CHECK(c.query < static_cast<int>(s.ids.size()));
        }
    }
    // The example input is in the task's vocabulary.
    const attn::Encoded e = task->encode(task->example());
    CHECK_FALSE(e.ids.empty());
    for (bool unknown : e.unknown) CHECK_FALSE(unknown);
  }
  CHECK(attn::make_task("translate") == nullptr);
}

TEST_CASE("task text: unknown words become <unk> and are flagged", "[train]") {
  const auto task = attn::make_task("sentences");
  const attn::Encoded e = task->encode("The zebra didn't cross the street because it was too tired.");
  REQUIRE(e.tokens.size() == 12);
  CHECK(e.tokens[1].text == "zebra");
  CHECK(e.tokens[1].begin == 4);
  CHECK(e.tokens[1].end == 9);
  CHECK(e.unknown[1]);
  CHECK(e.ids[1] == task->vocab().unk);
  CHECK(e.tokens[0].text == "the");  // lower-cased
  CHECK_FALSE(e.unknown[0]);
  CHECK(e.tokens[11].text == ".");
  CHECK(e.tokens[11].begin == 58);
}

TEST_CASE("sentences: the referent depends on the adjective", "[train]") {
  const auto task = attn::make_task("sentences");
  std::uint64_t rng = 11;
  int animal = 0, place = 0;
  for (int i = 0; i < 200; ++i) {
    const attn::Sequence s = task->sample(rng, 20, false);
    const auto& cells = s.cells[static_cast<int>(attn::Detector::Referent)];
    REQUIRE(cells.size() == 1);
    CHECK(s.ids.back() == s.ids[static_cast<std::size_t>(cells[0].key)]);  // the answer is the referent noun
    const std::string& noun = task->vocab().words[static_cast<std::size_t>(s.ids.back())];
    (noun == "street" || noun == "road" || noun == "river" || noun == "bridge" || noun == "field" || noun == "lake" ||
     noun == "hill" || noun == "yard")
        ? ++place
        : ++animal;
  }
  CHECK(animal > 50);
  CHECK(place > 50);
}

TEST_CASE("task inputs are split by the explorer's word rule and looked up in the task's words", "[tasks]") {
  const auto sentences = attn::make_task("sentences");
  const attn::Encoded e = sentences->encode("The animal didn't cross the street because it was too tired. it=");
  std::vector<std::string> words;
  for (const attn::Token& t : e.tokens) words.push_back(t.text);
  CHECK(words == std::vector<std::string>{"the", "animal", "didn't", "cross", "the", "street", "because", "it", "was",
                                          "too", "tired", ".", "it", "="});
  for (bool unknown : e.unknown) CHECK_FALSE(unknown);
  CHECK(e.tokens[11].begin == 59);  // "." keeps its byte span in the typed text
  const auto induction = attn::make_task("induction");
  const attn::Encoded i = induction->encode(induction->example());
  CHECK(i.ids.front() == induction->vocab().id("<bos>"));
  CHECK(i.ids.size() == 15);
  const attn::Encoded quoted = sentences->encode("\"tired\"");
  CHECK(quoted.tokens.size() == 3);  // the quotes are tokens of their own, "tired" is known
  CHECK_FALSE(quoted.unknown[1]);
}
