// forward(): the fast path against the plain-loop reference, and the properties attention must
// have whatever the weights.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "engine/attention.hpp"
#include "engine/embedding.hpp"
#include "engine/positional.hpp"
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

// One of a layer's (H, n, D) q, k or v in the reference's order.
using RowOfHead = const float* (attn::LayerView::*)(std::size_t, std::size_t) const;
std::vector<float> per_head(const attn::LayerView& t, RowOfHead part) {
  const std::size_t H = static_cast<std::size_t>(t.config.n_heads), D = static_cast<std::size_t>(t.config.d_head);
  std::vector<float> out;
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r = 0; r < t.n_tokens(); ++r) out.insert(out.end(), (t.*part)(h, r), (t.*part)(h, r) + D);
  return out;
}
// Every head's (n, n) scores or weights, heads one after another.
std::vector<float> squares(const float* first_head, const attn::LayerView& t) {
  return {first_head, first_head + static_cast<std::size_t>(t.config.n_heads) * t.n_tokens() * t.n_tokens()};
}
// The (n, E) output rows.
std::vector<float> out_rows(const attn::LayerView& t) {
  return {t.out(0), t.out(0) + t.n_tokens() * static_cast<std::size_t>(t.config.d_model)};
}

// Max |a - b| and a note of the first mismatches above tol.
double compare(const std::vector<float>& fast, const std::vector<double>& ref, double tol, std::ostringstream& note) {
  if (fast.size() != ref.size()) {
    note << "  sizes differ: fast " << fast.size() << " ref " << ref.size() << "\n";
    return INFINITY;
  }
  double worst = 0.0;
  int shown = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double err = std::fabs(double(fast[i]) - ref[i]);
    worst = std::max(worst, err);
    if (err > tol && shown++ < 5) note << "  [" << i << "] fast " << fast[i] << " ref " << ref[i] << "\n";
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

    const attn::SequenceRun run = attn::forward(x, w, c);
    const attn::LayerView t = run.layer(0);
    const reference::Result r = reference::attention(x, w, c);
    std::ostringstream note;
    note << "trial " << trial << ": n=" << n << " d_model=" << c.d_model << " heads=" << c.n_heads
         << " d_head=" << c.resolved_d_head() << " causal=" << c.causal << " pos=" << attn::to_string(c.positional)
         << " T=" << c.temperature << "\n";
    const double e_q = compare(per_head(t, &attn::LayerView::q), r.q, 1e-5, note);
    const double e_k = compare(per_head(t, &attn::LayerView::k), r.k, 1e-5, note);
    const double e_s = compare(squares(t.scores(0), t), r.scores, 1e-5, note);
    const double e_a = compare(squares(t.attn(0), t), r.attn, 1e-5, note);
    const double e_o = compare(out_rows(t), r.out, 1e-5, note);
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
    const attn::SequenceRun run = attn::forward(random_x(17, 32, rng, 3.0f), attn::init_weights(c), c);
    const attn::LayerView t = run.layer(0);
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
  const attn::SequenceRun run = attn::forward(random_x(12, 24, rng), attn::init_weights(c), c);
  const attn::LayerView t = run.layer(0);
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
  const attn::SequenceRun run_a = attn::forward(x, w, c), run_b = attn::forward(px, w, c);
  const attn::LayerView a = run_a.layer(0), b = run_b.layer(0);
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
  const attn::SequenceRun before = attn::forward(x, w, c);
  for (std::size_t i = 16; i < 32; ++i) w.in_proj_bias(i) = 5.0f;  // the k third
  const attn::SequenceRun after = attn::forward(x, w, c);
  const attn::LayerActivations &b = before.acts.layers[0], &a = after.acts.layers[0];
  REQUIRE(a.attn.size() == 2 * 7 * 7);
  bool scores_moved = false;
  for (std::size_t i = 0; i < a.attn.size(); ++i) {
    CHECK(a.attn[i] == Approx(b.attn[i]).margin(1e-5));
    scores_moved |= std::fabs(a.scores[i] - b.scores[i]) > 1e-3f;
  }
  CHECK(scores_moved);  // the scores did change: the test would catch a softmax that ignores them
}

TEST_CASE("one head equals single-head attention", "[attention][property]") {
  std::mt19937 rng(5);
  const attn::ModelConfig c = config(8, 1);
  const attn::MhaWeights w = attn::init_weights(c);
  const xt::xtensor<float, 2> x = random_x(5, 8, rng);
  const attn::SequenceRun run = attn::forward(x, w, c);
  const attn::LayerView t = run.layer(0);
  // softmax(Q K^T / sqrt(8)) V W_o^T written out for one head.
  const reference::Result r = reference::attention(x, w, c);
  const std::vector<float> out = out_rows(t);
  REQUIRE(out.size() == r.out.size());
  for (std::size_t i = 0; i < r.out.size(); ++i) CHECK(out[i] == Approx(r.out[i]).margin(1e-5));
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t d = 0; d < 8; ++d) CHECK(t.concat(i, d) == t.head_out(0, i, d));
}

TEST_CASE("one token attends fully to itself, zero tokens give an empty valid run", "[attention]") {
  std::mt19937 rng(6);
  const attn::ModelConfig c = config(12, 3);
  const attn::MhaWeights w = attn::init_weights(c);
  const attn::SequenceRun one = attn::forward(random_x(1, 12, rng), w, c);
  for (std::size_t h = 0; h < 3; ++h) CHECK(one.layer(0).attn(h, 0, 0) == 1.0f);
  const attn::SequenceRun none = attn::forward(xt::xtensor<float, 2>::from_shape({0, 12}), w, c);
  REQUIRE(none.n_layers() == 1);
  CHECK(none.layer(0).n_tokens() == 0);
  CHECK(none.layer(0).config.n_heads == 3);
  CHECK(none.acts.layers[0].attn.empty());
  CHECK(none.layer(0).config.d_model == 12);
  const attn::SequenceRun empty_text = attn::run("", attn::TokenizerMode::Word, c, w);
  CHECK(empty_text.n_tokens() == 0);
  CHECK(empty_text.tokens().empty());
}

TEST_CASE("extreme inputs never produce NaN", "[attention][property]") {
  const attn::ModelConfig c = config(4, 1);
  attn::MhaWeights w = attn::init_weights(c);
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({3, 4});
  x.fill(1e30f);
  x(1, 2) = -1e30f;
  const attn::SequenceRun t = attn::forward(x, w, c);
  REQUIRE(t.acts.layers[0].attn.size() == 9);
  for (float v : t.acts.layers[0].attn) CHECK(std::isfinite(v));
}

TEST_CASE("temperature divides the scores", "[attention]") {
  std::mt19937 rng(7);
  attn::ModelConfig c = config(8, 2);
  const attn::MhaWeights w = attn::init_weights(c);
  const xt::xtensor<float, 2> x = random_x(4, 8, rng);
  const attn::SequenceRun t1 = attn::forward(x, w, c);
  c.temperature = 2.0f;
  const attn::SequenceRun t2 = attn::forward(x, w, c);
  const std::vector<float>&s1 = t1.acts.layers[0].scores, &s2 = t2.acts.layers[0].scores;
  REQUIRE(s1.size() == 2 * 4 * 4);
  for (std::size_t i = 0; i < s1.size(); ++i) CHECK(s2[i] == Approx(s1[i] / 2.0f).margin(1e-6));
}

TEST_CASE("explicit d_head maps d_model to heads x d_head and back", "[attention]") {
  std::mt19937 rng(8);
  attn::ModelConfig c = config(10, 3);
  c.d_head = 4;
  const attn::MhaWeights w = attn::init_weights(c);
  CHECK(w.in_proj_weight.shape()[0] == 36);
  CHECK(w.out_proj_weight.shape()[1] == 12);
  const attn::SequenceRun t = attn::forward(random_x(5, 10, rng), w, c);
  CHECK(t.layer(0).config.d_head == 4);
  CHECK(t.acts.layers[0].qkv.size() == 5 * 3 * 12);  // q | k | v of 3 heads of 4
  CHECK(t.acts.layers[0].concat.size() == 5 * 12);
  CHECK(t.acts.layers[0].attn_out.size() == 5 * 10);
}

TEST_CASE("forward rejects x and weights that do not fit the config", "[attention]") {
  const attn::ModelConfig c = config(8, 2);
  const attn::MhaWeights w = attn::init_weights(c);
  CHECK_THROWS_WITH(attn::forward(xt::xtensor<float, 2>::from_shape({3, 9}), w, c), Catch::Contains("9 columns"));
  const attn::MhaWeights other = attn::init_weights(config(16, 2));
  CHECK_THROWS_WITH(attn::forward(xt::xtensor<float, 2>::from_shape({3, 8}), other, c),
                    Catch::Contains("in_proj_weight is (48, 16)") && Catch::Contains("needs (24, 8)"));
}

TEST_CASE("run() keeps the tokens and reads embeddings plus positions", "[attention]") {
  const attn::ModelConfig c = config(16, 2, false, attn::Positional::Sinusoidal);
  const attn::SequenceRun run = attn::run("the cat the", attn::TokenizerMode::Word, c, attn::init_weights(c));
  const attn::LayerView t = run.layer(0);
  REQUIRE(t.n_tokens() == 3);
  CHECK(t.tokens()[1].text == "cat");
  const xt::xtensor<float, 2> embeddings = attn::embed_tokens(run.tokens(), 16, c.seed);
  const xt::xtensor<float, 2> positions = attn::positional_table(c.positional, 3, 16, c.seed);
  for (std::size_t e = 0; e < 16; ++e) {
    CHECK(embeddings(0, e) == embeddings(2, e));  // the same word, the same vector
    CHECK(t.x(1, e) == embeddings(1, e) + positions(1, e));
  }
  CHECK(positions(0, 1) == 1.0f);  // cos(0)
}

TEST_CASE("forward_flops counts the GEMMs", "[attention]") {
  const attn::ModelConfig c = config(64, 4);
  // 2*n*E*3E + H*2*(2*n*n*D) + 2*n*E*E + 5*H*n*n with n=2, E=64, H=4, D=16.
  CHECK(attn::forward_flops(2, c) == Approx(2.0 * 2 * 64 * 192 + 4 * 2 * (2 * 4 * 16) + 2.0 * 2 * 64 * 64 + 5 * 4 * 4));
}
