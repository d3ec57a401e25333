// forward(): the fast path against the plain-loop reference, and the properties attention must
// have whatever the weights.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "engine/attention.hpp"
#include "engine/weights.hpp"
#include "reference_attention.hpp"

namespace {

attn::ModelConfig config(int d_model, int heads, bool causal = false, attn::Positional p = attn::Positional::None) {
  attn::ModelConfig c;
  c.d_model = d_model;
  c.n_heads = heads;
  c.causal = causal;
  c.positional = p;
  return c;
}

xt::xtensor<float, 2> random_x(std::size_t n, std::size_t e, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({n, e});
  for (float& v : x) v = normal(rng);
  return x;
}

void randomize_biases(attn::MhaWeights& w, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 0.5f);
  for (float& v : w.in_proj_bias) v = normal(rng);
  for (float& v : w.out_proj_bias) v = normal(rng);
}

// Max |a - b| and a note of the first mismatches above tol.
template <typename A>
double compare(const A& fast, const std::vector<double>& ref, double tol, std::ostringstream& note) {
  double worst = 0.0;
  int shown = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double err = std::fabs(double(fast.data()[i]) - ref[i]);
    worst = std::max(worst, err);
    if (err > tol && shown++ < 5) note << "  [" << i << "] fast " << fast.data()[i] << " ref " << ref[i] << "\n";
  }
  return worst;
}

}  // namespace

TEST_CASE("fast path matches the plain-loop reference over many random configurations", "[attention]") {
  std::mt19937 rng(2024);
  const attn::Positional kinds[] = {attn::Positional::None, attn::Positional::Sinusoidal, attn::Positional::Learned,
                                    attn::Positional::Rope};
  double worst = 0.0;
  for (int trial = 0; trial < 200; ++trial) {
    attn::ModelConfig c;
    c.n_heads = std::uniform_int_distribution<int>(1, 6)(rng);
    const bool explicit_head = trial % 3 == 0;
    if (explicit_head) {
      c.d_head = 2 * std::uniform_int_distribution<int>(1, 8)(rng);
      c.d_model = std::uniform_int_distribution<int>(1, 40)(rng);
    } else {
      c.d_model = c.n_heads * 2 * std::uniform_int_distribution<int>(1, 6)(rng);
    }
    c.causal = trial % 2 == 1;
    c.positional = kinds[trial % 4];
    c.temperature = std::uniform_real_distribution<float>(0.3f, 3.0f)(rng);
    c.seed = static_cast<std::uint64_t>(trial);
    const std::size_t n = static_cast<std::size_t>(std::uniform_int_distribution<int>(0, 40)(rng));
    attn::MhaWeights w = attn::init_weights(c);
    randomize_biases(w, rng);
    const xt::xtensor<float, 2> x = random_x(n, static_cast<std::size_t>(c.d_model), rng);

    const attn::Trace t = attn::forward(x, w, c);
    const reference::Result r = reference::attention(x, w, c);
    std::ostringstream note;
    note << "trial " << trial << ": n=" << n << " d_model=" << c.d_model << " heads=" << c.n_heads
         << " d_head=" << c.resolved_d_head() << " causal=" << c.causal << " pos=" << attn::to_string(c.positional)
         << " T=" << c.temperature << "\n";
    const double e_q = compare(t.q, r.q, 1e-5, note);
    const double e_k = compare(t.k, r.k, 1e-5, note);
    const double e_s = compare(t.scores, r.scores, 1e-5, note);
    const double e_a = compare(t.attn, r.attn, 1e-5, note);
    const double e_o = compare(t.out, r.out, 1e-5, note);
    const double err = std::max({e_q, e_k, e_s, e_a, e_o});
    worst = std::max(worst, err);
    INFO(note.str());
    REQUIRE(err <= 1e-5);
  }
  INFO("worst error " << worst);
  CHECK(worst <= 1e-5);
}

TEST_CASE("every attention row sums to 1 and holds no NaN", "[attention][property]") {
  std::mt19937 rng(1);
  for (bool causal : {false, true}) {
    const attn::ModelConfig c = config(32, 4, causal, attn::Positional::Sinusoidal);
    const attn::Trace t = attn::forward(random_x(17, 32, rng, 3.0f), attn::init_weights(c), c);
    for (std::size_t h = 0; h < 4; ++h)
      for (std::size_t i = 0; i < 17; ++i) {
        double sum = 0.0;
        for (std::size_t j = 0; j < 17; ++j) {
          REQUIRE(std::isfinite(t.attn(h, i, j)));
          REQUIRE(t.attn(h, i, j) >= 0.0f);
          sum += t.attn(h, i, j);
        }
        CHECK(sum == Approx(1.0).margin(1e-5));
      }
  }
}

TEST_CASE("the causal mask makes the upper triangle exactly 0", "[attention][property]") {
  std::mt19937 rng(2);
  const attn::ModelConfig c = config(24, 3, true);
  const attn::Trace t = attn::forward(random_x(12, 24, rng), attn::init_weights(c), c);
  for (std::size_t h = 0; h < 3; ++h)
    for (std::size_t i = 0; i < 12; ++i)
      for (std::size_t j = i + 1; j < 12; ++j) REQUIRE(t.attn(h, i, j) == 0.0f);
  CHECK(t.attn(0, 0, 0) == 1.0f);  // the first token can only look at itself
}

TEST_CASE("without positions, permuting the tokens permutes the output rows", "[attention][property]") {
  std::mt19937 rng(3);
  const attn::ModelConfig c = config(16, 2);
  attn::MhaWeights w = attn::init_weights(c);
  randomize_biases(w, rng);
  const xt::xtensor<float, 2> x = random_x(9, 16, rng);
  std::vector<std::size_t> perm(9);
  for (std::size_t i = 0; i < 9; ++i) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), rng);
  xt::xtensor<float, 2> px = x;
  for (std::size_t i = 0; i < 9; ++i)
    for (std::size_t e = 0; e < 16; ++e) px(i, e) = x(perm[i], e);
  const attn::Trace a = attn::forward(x, w, c), b = attn::forward(px, w, c);
  for (std::size_t i = 0; i < 9; ++i)
    for (std::size_t e = 0; e < 16; ++e) CHECK(b.out(i, e) == Approx(a.out(perm[i], e)).margin(1e-5));
}

TEST_CASE("adding a constant to every score of a row changes nothing", "[attention][property]") {
  // A bias on k that is the same for every key adds q·b_k to each score of query q's row: a
  // per-row constant, which softmax cancels.
  std::mt19937 rng(4);
  const attn::ModelConfig c = config(16, 2);
  attn::MhaWeights w = attn::init_weights(c);
  const xt::xtensor<float, 2> x = random_x(7, 16, rng);
  const attn::Trace before = attn::forward(x, w, c);
  for (std::size_t i = 16; i < 32; ++i) w.in_proj_bias(i) = 5.0f;  // the k third
  const attn::Trace after = attn::forward(x, w, c);
  bool scores_moved = false;
  for (std::size_t i = 0; i < before.attn.size(); ++i) {
    CHECK(after.attn.data()[i] == Approx(before.attn.data()[i]).margin(1e-5));
    scores_moved |= std::fabs(after.scores.data()[i] - before.scores.data()[i]) > 1e-3f;
  }
  CHECK(scores_moved);  // the scores did change: the test would catch a softmax that ignores them
}

TEST_CASE("one head equals single-head attention", "[attention][property]") {
  std::mt19937 rng(5);
  const attn::ModelConfig c = config(8, 1);
  const attn::MhaWeights w = attn::init_weights(c);
  const xt::xtensor<float, 2> x = random_x(5, 8, rng);
  const attn::Trace t = attn::forward(x, w, c);
  // softmax(Q K^T / sqrt(8)) V W_o^T written out for one head.
  const reference::Result r = reference::attention(x, w, c);
  for (std::size_t i = 0; i < r.out.size(); ++i) CHECK(t.out.data()[i] == Approx(r.out[i]).margin(1e-5));
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t d = 0; d < 8; ++d) CHECK(t.concat(i, d) == t.head_out(0, i, d));
}

TEST_CASE("one token attends fully to itself, zero tokens give an empty valid trace", "[attention]") {
  std::mt19937 rng(6);
  const attn::ModelConfig c = config(12, 3);
  const attn::MhaWeights w = attn::init_weights(c);
  const attn::Trace one = attn::forward(random_x(1, 12, rng), w, c);
  for (std::size_t h = 0; h < 3; ++h) CHECK(one.attn(h, 0, 0) == 1.0f);
  const attn::Trace none = attn::forward(xt::xtensor<float, 2>::from_shape({0, 12}), w, c);
  CHECK(none.attn.shape()[0] == 3);
  CHECK(none.attn.size() == 0);
  CHECK(none.out.shape()[1] == 12);
  const attn::Trace empty_text = attn::run("", attn::TokenizerMode::Word, c, w);
  CHECK(empty_text.n_tokens() == 0);
  CHECK(empty_text.tokens().empty());
}

TEST_CASE("extreme inputs never produce NaN", "[attention][property]") {
  const attn::ModelConfig c = config(4, 1);
  attn::MhaWeights w = attn::init_weights(c);
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({3, 4});
  x.fill(1e30f);
  x(1, 2) = -1e30f;
  const attn::Trace t = attn::forward(x, w, c);
  for (float v : t.attn) CHECK(std::isfinite(v));
}

TEST_CASE("temperature divides the scores", "[attention]") {
  std::mt19937 rng(7);
  attn::ModelConfig c = config(8, 2);
  const attn::MhaWeights w = attn::init_weights(c);
  const xt::xtensor<float, 2> x = random_x(4, 8, rng);
  const attn::Trace t1 = attn::forward(x, w, c);
  c.temperature = 2.0f;
  const attn::Trace t2 = attn::forward(x, w, c);
  for (std::size_t i = 0; i < t1.scores.size(); ++i)
    CHECK(t2.scores.data()[i] == Approx(t1.scores.data()[i] / 2.0f).margin(1e-6));
}

TEST_CASE("explicit d_head maps d_model to heads x d_head and back", "[attention]") {
  std::mt19937 rng(8);
  attn::ModelConfig c = config(10, 3);
  c.d_head = 4;
  const attn::MhaWeights w = attn::init_weights(c);
  CHECK(w.in_proj_weight.shape()[0] == 36);
  CHECK(w.out_proj_weight.shape()[1] == 12);
  const attn::Trace t = attn::forward(random_x(5, 10, rng), w, c);
  CHECK(t.q.shape()[2] == 4);
  CHECK(t.concat.shape()[1] == 12);
  CHECK(t.out.shape()[1] == 10);
}

TEST_CASE("forward rejects x and weights that do not fit the config", "[attention]") {
  const attn::ModelConfig c = config(8, 2);
  const attn::MhaWeights w = attn::init_weights(c);
  CHECK_THROWS_WITH(attn::forward(xt::xtensor<float, 2>::from_shape({3, 9}), w, c), Catch::Contains("9 columns"));
  const attn::MhaWeights other = attn::init_weights(config(16, 2));
  CHECK_THROWS_WITH(attn::forward(xt::xtensor<float, 2>::from_shape({3, 8}), other, c),
                    Catch::Contains("in_proj_weight is (48, 16)") && Catch::Contains("needs (24, 8)"));
}

TEST_CASE("run() keeps embeddings, positions and tokens in the trace", "[attention]") {
  const attn::ModelConfig c = config(16, 2, false, attn::Positional::Sinusoidal);
  const attn::Trace t = attn::run("the cat the", attn::TokenizerMode::Word, c, attn::init_weights(c));
  REQUIRE(t.n_tokens() == 3);
  for (std::size_t e = 0; e < 16; ++e) {
    CHECK(t.embeddings(0, e) == t.embeddings(2, e));  // the same word, the same vector
    CHECK(t.x(1, e) == t.embeddings(1, e) + t.positions(1, e));
  }
  CHECK(t.positions(0, 1) == 1.0f);  // cos(0)
}

TEST_CASE("forward_flops counts the GEMMs", "[attention]") {
  const attn::ModelConfig c = config(64, 4);
  // 2*n*E*3E + H*2*(2*n*n*D) + 2*n*E*E + 5*H*n*n with n=2, E=64, H=4, D=16.
  CHECK(attn::forward_flops(2, c) == Approx(2.0 * 2 * 64 * 192 + 4 * 2 * (2 * 4 * 16) + 2.0 * 2 * 64 * 64 + 5 * 4 * 4));
}
