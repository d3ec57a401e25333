// The committed lesson models do what the lessons say they do.
#include <catch2/catch.hpp>

#include <algorithm>
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
  const attn::Trace layer2 = run.layer(ck.model, 1);
  const auto& tokens = run.input.tokens;
  const auto pos = [&](const std::string& w) {
    return static_cast<std::size_t>(std::find_if(tokens.begin(), tokens.end(), [&](const attn::Token& t) { return t.text == w; }) -
                                    tokens.begin());
  };
  const std::size_t n = tokens.size(), q = n - 1;
  const std::size_t head = 1;  // L2H2, the referent head of assets/models/README.md
  const float* row = layer2.attn.data() + (head * n + q) * n;
  return {row[pos(a)], row[pos(b)]};
}

}  // namespace

TEST_CASE("sentences lesson model: the referent head resolves 'it' by the adjective", "[lesson]") {
  const auto tired = referent_weights("The animal didn't cross the street because it was too tired. it =", "animal", "street");
  CHECK(tired.first > 0.8f);
  CHECK(tired.second < 0.1f);
  const auto wide = referent_weights("The animal didn't cross the street because it was too wide. it =", "animal", "street");
  CHECK(wide.second > 0.8f);
  CHECK(wide.first < 0.1f);
}

TEST_CASE("every lesson model loads and its task's example runs", "[lesson]") {
  for (const char* name : {"induction", "reverse", "sort", "sentences"}) {
    INFO(name);
    const attn::Checkpoint ck = attn::load_checkpoint(kModels + name + ".npz");
    CHECK(ck.task == name);
    const app::ModelRun run = app::run_model(ck.model, attn::Vocab(ck.vocab), app::lower_cases(ck), app::example_text(ck));
    for (bool unknown : run.input.unknown) CHECK_FALSE(unknown);
  }
}

namespace {

// The best head's mean weight, over the second copy of a twice-written text, on the token after
// the current token's first copy (the induction cells of engine/train/text_task.hpp).
float best_induction_score(const attn::Checkpoint& ck, const app::ModelRun& run, std::size_t half) {
  const std::size_t n = run.input.ids.size();
  float best = 0.0f;
  for (int l = 0; l < ck.model.arch.n_layers; ++l) {
    const attn::Trace t = run.layer(ck.model, l);
    for (std::size_t h = 0; h < static_cast<std::size_t>(ck.model.arch.n_heads); ++h) {
      double sum = 0.0;
      for (std::size_t j = 0; j + 1 < half; ++j) sum += t.attn.data()[(h * n + half + j) * n + j + 1];
      best = std::max(best, static_cast<float>(sum / static_cast<double>(half - 1)));
    }
  }
  return best;
}

}  // namespace

TEST_CASE("english lesson model: its own BPE and an induction head on repeated text", "[lesson]") {
  const attn::Checkpoint ck = attn::load_checkpoint(kModels + "english.npz");
  CHECK(ck.task == "text");
  REQUIRE(ck.tokenizer.has_value());
  CHECK(ck.tokenizer->vocab_size() == 4096);
  // The model file stays a lesson-sized download.
  CHECK(std::ifstream(kModels + "english.npz", std::ios::binary | std::ios::ate).tellg() < 16 * 1024 * 1024);
  // The example and a person's text run through the BPE: every byte has a token, nothing unknown.
  const app::ModelRun example = app::run_model(ck.model, ck, app::example_text(ck));
  CHECK(example.input.tokens.back().end == app::example_text(ck).size());
  // A sentence the corpus never held, twice: the second copy looks at what followed the first.
  const std::string once = " The lighthouse keeper painted seven purple boats before the storm reached the harbour.";
  const app::ModelRun run = app::run_model(ck.model, ck, once + once);
  const std::size_t half = ck.tokenizer->encode(once).size();
  REQUIRE(run.input.ids.size() == 2 * half);
  CHECK(best_induction_score(ck, run, half) >= 0.4f);
  // And on a repeated list of words, the second copy is predicted by copying.
  CHECK(attn::repeated_list_copying(ck.model, *ck.tokenizer, 20, 1) >= 0.5);
}
