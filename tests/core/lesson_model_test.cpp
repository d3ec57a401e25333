// The committed lesson models do what the lessons say they do.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "core/model_run.hpp"

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
