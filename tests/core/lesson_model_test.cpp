// The committed lesson models do what the lessons say they do.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "core/model_run.hpp"
#include "engine/train/text_task.hpp"

namespace {

const std::string kModels = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/";

// Layer 2's attention from the last token ("=") to `a` and to `b`, for the head that attends
// most to the referent.
std::pair<float, float> referent_weights(const std::string& text, const std::string& a, const std::string& b) {
  const attn::Checkpoint ck = attn::load_checkpoint(kModels + "sentences.npz");
  const app::ModelRun run = app::run_model(ck.model, attn::Vocab(ck.vocab), app::lower_cases(ck), text);
  const attn::LayerView layer2 = run.layer(1);
  const auto& tokens = run.input.tokens;
  const auto pos = [&](const std::string& w) {
    return static_cast<std::size_t>(
        std::find_if(tokens.begin(), tokens.end(), [&](const attn::Token& t) { return t.text == w; }) - tokens.begin());
  };
  const std::size_t n = tokens.size(), q = n - 1;
  const std::size_t head = 1;  // L2H2, the referent head of assets/models/README.md
  const float* row = layer2.attn(head) + q * n;
  return {row[pos(a)], row[pos(b)]};
}

}  // namespace

TEST_CASE("sentences lesson model: the referent head resolves 'it' by the adjective", "[lesson]") {
  const auto tired =
      referent_weights("The animal didn't cross the street because it was too tired. it =", "animal", "street");
  CHECK(tired.first > 0.8f);
  CHECK(tired.second < 0.1f);
  const auto wide =
      referent_weights("The animal didn't cross the street because it was too wide. it =", "animal", "street");
  CHECK(wide.second > 0.8f);
  CHECK(wide.first < 0.1f);
}

TEST_CASE("every lesson model loads and its task's example runs", "[lesson]") {
  for (const char* name : {"induction", "reverse", "sort", "sentences"}) {
    INFO(name);
    const attn::Checkpoint ck = attn::load_checkpoint(kModels + name + ".npz");
    CHECK(ck.task == name);
    const app::ModelRun run =
        app::run_model(ck.model, attn::Vocab(ck.vocab), app::lower_cases(ck), app::example_text(ck));
    for (bool unknown : run.input.unknown) CHECK_FALSE(unknown);
  }
}

namespace {

// The best head's mean weight on the previous-token cells (i, i - 1), or on the induction cells
// of a text written twice (half + j, j + 1) as engine/train/text_task.hpp scores them.
float best_head_score(const attn::Checkpoint& ck, const app::ModelRun& run, bool induction, std::size_t half) {
  const std::size_t n = run.input.ids.size();
  float best = 0.0f;
  for (int l = 0; l < ck.model.arch.n_layers; ++l) {
    const attn::LayerView t = run.layer(l);
    for (std::size_t h = 0; h < static_cast<std::size_t>(ck.model.arch.n_heads); ++h) {
      double sum = 0.0;
      std::size_t cells = 0;
      for (std::size_t q = induction ? half : 1; q < (induction ? n - 1 : n); ++q, ++cells)
        sum += t.attn(h, q, induction ? q - half + 1 : q - 1);
      best = std::max(best, static_cast<float>(sum / static_cast<double>(cells)));
    }
  }
  return best;
}

// The mean next-token loss (nats) over positions [from, to) of a run.
double mean_loss(const attn::Checkpoint& ck, const app::ModelRun& run, std::size_t from, std::size_t to) {
  const std::size_t V = static_cast<std::size_t>(ck.model.arch.vocab_size);
  double sum = 0.0;
  for (std::size_t i = from; i < to; ++i) {
    const float* row = run.acts.logits.data() + i * V;
    const float top = *std::max_element(row, row + V);
    double z = 0.0;
    for (std::size_t v = 0; v < V; ++v) z += std::exp(static_cast<double>(row[v] - top));
    sum += std::log(z) - static_cast<double>(row[static_cast<std::size_t>(run.input.ids[i + 1])] - top);
  }
  return sum / static_cast<double>(to - from);
}

}  // namespace

// What assets/models/README.md reports of the english model, on a sentence the corpus never held
// (the goals it does not reach, a previous-token head >= 0.5 on held-out text and copying a
// random word list, are reported there as not reached).
TEST_CASE("english lesson model: its own BPE and an induction head that copies a passage written twice", "[lesson]") {
  const attn::Checkpoint ck = attn::load_checkpoint(kModels + "english.npz");
  CHECK(ck.task == "text");
  REQUIRE(ck.tokenizer.has_value());
  CHECK(ck.tokenizer->vocab_size() == 4096);
  // The model file stays a lesson-sized download.
  CHECK(std::ifstream(kModels + "english.npz", std::ios::binary | std::ios::ate).tellg() < 16 * 1024 * 1024);
  // The example and a person's text run through the BPE: every byte has a token, nothing unknown.
  const app::ModelRun example = app::run_model(ck.model, ck, app::example_text(ck));
  CHECK(example.input.tokens.back().end == app::example_text(ck).size());
  // A sentence twice: a previous-token head throughout, and the second copy is predicted far
  // better than the first because a layer-2 head looks one past the earlier copy.
  const std::string once = " The lighthouse keeper painted seven purple boats before the storm reached the harbour.";
  const app::ModelRun run = app::run_model(ck.model, ck, once + once);
  const std::size_t half = ck.tokenizer->encode(once).size();
  REQUIRE(run.input.ids.size() == 2 * half);
  const float previous = best_head_score(ck, run, false, half), induction = best_head_score(ck, run, true, half);
  const double first_copy = mean_loss(ck, run, 0, half - 1), second_copy = mean_loss(ck, run, half, 2 * half - 1);
  CAPTURE(previous, induction, first_copy, second_copy);  // 0.45, 0.83, 5.49 and 0.62 nats a token
  CHECK(previous >= 0.4f);
  CHECK(induction >= 0.6f);
  CHECK(second_copy < first_copy - 3.0);
}
