// The step-through's numbers are the engine's: with the default toggles every step agrees with the
// forward within 1e-6, and the toggles change what they should.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/attention.hpp"
#include "engine/explain.hpp"

namespace {

attn::SequenceRun run_of(bool causal, attn::Positional positional, float temperature = 1.0f) {
  attn::ModelConfig c;
  c.d_model = 24;
  c.n_heads = 3;
  c.causal = causal;
  c.positional = positional;
  c.temperature = temperature;
  c.seed = 11;
  return attn::run("The animal didn't cross the street because it was too tired .", attn::TokenizerMode::Word, c,
                   attn::init_weights(c));
}

}  // namespace

TEST_CASE("every step of the explanation agrees with the forward", "[explain]") {
  for (const bool causal : {false, true})
    for (const auto positional : {attn::Positional::Sinusoidal, attn::Positional::Rope}) {
      const attn::SequenceRun run = run_of(causal, positional, 0.8f);
      const attn::LayerView t = run.layer(0);
      const attn::MhaWeights w = attn::init_weights(t.config);
      const std::size_t n = t.n_tokens(), D = 8, E = 24;
      for (int head = 0; head < 3; ++head)
        for (int query : {0, 4, static_cast<int>(n) - 1}) {
          INFO("causal " << causal << ", head " << head << ", query " << query);
          const attn::QueryExplanation e =
              attn::explain_query(t, head, query, {}, {w.out_proj_weight.data(), w.out_proj_bias.data()});
          const std::size_t h = static_cast<std::size_t>(head), q = static_cast<std::size_t>(query);
          double total = 0.0;
          for (std::size_t j = 0; j < n; ++j) {
            CHECK(std::fabs(e.scaled[j] - t.scores(h, q, j)) <= 1e-6f * std::max(1.0f, std::fabs(t.scores(h, q, j))));
            CHECK(std::fabs(e.weights[j] - t.attn(h, q, j)) <= 1e-6f);
            CHECK((e.masked[j] != 0) == (causal && j > static_cast<std::size_t>(query)));
            if (e.masked[j]) CHECK(e.weights[j] == 0.0f);
            total += e.exps[j];
          }
          CHECK(std::fabs(total - e.sum) <= 1e-5 * total);
          CHECK(e.row_max == Approx(*std::max_element(e.scaled.begin(),
                                                      e.scaled.begin() + (causal ? query + 1 : static_cast<int>(n)))));
          for (std::size_t d = 0; d < D; ++d) CHECK(std::fabs(e.head_out[d] - t.head_out(h, q, d)) <= 1e-6f);
          for (std::size_t o = 0; o < E; ++o) CHECK(std::fabs(e.out[o] - t.out(q, o)) <= 1e-5f);
        }
    }
}

TEST_CASE("the toggles: no scaling sharpens the softmax, temperature and the mask apply", "[explain]") {
  const attn::SequenceRun run = run_of(true, attn::Positional::Sinusoidal);
  const attn::LayerView t = run.layer(0);
  const int q = 8;
  const attn::QueryExplanation normal = attn::explain_query(t, 1, q);
  attn::ExplainOptions unscaled;
  unscaled.scale_by_sqrt_d = false;
  const attn::QueryExplanation sharp = attn::explain_query(t, 1, q, unscaled);
  CHECK(sharp.divisor == 1.0f);
  CHECK(normal.divisor == Approx(std::sqrt(8.0f)));
  // Without the division the largest weight grows (the softmax saturates).
  CHECK(*std::max_element(sharp.weights.begin(), sharp.weights.end()) >
        *std::max_element(normal.weights.begin(), normal.weights.end()));
  attn::ExplainOptions hot;
  hot.temperature = 100.0f;  // nearly even over the visible keys
  const attn::QueryExplanation even = attn::explain_query(t, 1, q, hot);
  for (int j = 0; j <= q; ++j) CHECK(even.weights[static_cast<std::size_t>(j)] == Approx(1.0 / (q + 1)).epsilon(0.05));
  attn::ExplainOptions unmasked;
  unmasked.mask = 0;
  const attn::QueryExplanation all = attn::explain_query(t, 1, q, unmasked);
  CHECK(all.weights.back() > 0.0f);
  CHECK(normal.weights.back() == 0.0f);
  CHECK_THROWS_AS(attn::explain_query(t, 3, 0), std::invalid_argument);
  CHECK_THROWS_AS(attn::explain_query(t, 0, 99), std::invalid_argument);
}
