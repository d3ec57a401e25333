// Every op's backward against central finite differences of its forward, in double precision
// (ggml's test-backend-ops, MODE_GRAD). Each case is a row in a table: its variables, a forward
// that reduces the op's output to a scalar with fixed random weights, and the analytic gradient;
// one Catch2 test case per op checks its rows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/nn/ops.hpp"

namespace {

using Vec = std::vector<double>;
using Vars = std::vector<Vec>;

struct OpCase {
  std::string name;
  Vars vars;                                  // what is differentiated
  std::function<double(const Vars&)> loss;    // sum(out * r) for fixed random r
  std::function<Vars(const Vars&)> gradient;  // the op's backward with dout = r
  double tolerance = 1e-6;                    // on |analytic - numeric| / max(1, |numeric|)
};

Vec random_vec(std::size_t n, std::mt19937& rng, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Vec v(n);
  for (double& x : v) x = normal(rng);
  return v;
}

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

std::vector<OpCase> op_cases() {
  std::mt19937 rng(2024);
  std::vector<OpCase> cases;
  using namespace attn::nn;

  {  // LayerNorm: N=3 rows of C=5
    const int N = 3, C = 5;
    const Vec r = random_vec(N * C, rng);
    cases.push_back(
        {"layernorm",
         {random_vec(N * C, rng, 2.0), random_vec(C, rng), random_vec(C, rng)},
         [=](const Vars& v) {
           Vec out(N * C), mean(N), rstd(N);
           layernorm_forward(out.data(), mean.data(), rstd.data(), v[0].data(), v[1].data(), v[2].data(), N, C);
           return dot(out, r);
         },
         [=](const Vars& v) {
           Vec out(N * C), mean(N), rstd(N);
           layernorm_forward(out.data(), mean.data(), rstd.data(), v[0].data(), v[1].data(), v[2].data(), N, C);
           Vars g{Vec(N * C), Vec(C), Vec(C)};
           layernorm_backward(g[0].data(), g[1].data(), g[2].data(), r.data(), v[0].data(), v[1].data(), mean.data(),
                              rstd.data(), N, C);
           return g;
         }});
  }
  {  // Linear: N=4, C=3 -> OC=5, with bias
    const int N = 4, C = 3, OC = 5;
    const Vec r = random_vec(N * OC, rng);
    cases.push_back({"linear",
                     {random_vec(N * C, rng), random_vec(OC * C, rng), random_vec(OC, rng)},
                     [=](const Vars& v) {
                       Vec out(N * OC);
                       linear_forward(out.data(), v[0].data(), v[1].data(), v[2].data(), N, C, OC);
                       return dot(out, r);
                     },
                     [=](const Vars& v) {
                       Vars g{Vec(N * C), Vec(OC * C), Vec(OC)};
                       linear_backward(g[0].data(), g[1].data(), g[2].data(), r.data(), v[0].data(), v[1].data(), N, C,
                                       OC);
                       return g;
                     }});
  }
  {  // GELU over values from -4 to 4
    const std::size_t n = 17;
    const Vec r = random_vec(n, rng);
    Vec x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = -4.0 + 0.5 * static_cast<double>(i) + 0.01;
    cases.push_back({"gelu",
                     {x},
                     [=](const Vars& v) {
                       Vec out(n);
                       gelu_forward(out.data(), v[0].data(), n);
                       return dot(out, r);
                     },
                     [=](const Vars& v) {
                       Vars g{Vec(n)};
                       gelu_backward(g[0].data(), v[0].data(), r.data(), n);
                       return g;
                     }});
  }
  {  // GELU with the tanh approximation (GPT-2's), over values from -6 to 6
    const std::size_t n = 25;
    const Vec r = random_vec(n, rng);
    Vec x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = -6.0 + 0.5 * static_cast<double>(i) + 0.013;
    cases.push_back({"gelu (tanh)",
                     {x},
                     [=](const Vars& v) {
                       Vec out(n);
                       gelu_tanh_forward(out.data(), v[0].data(), n);
                       return dot(out, r);
                     },
                     [=](const Vars& v) {
                       Vars g{Vec(n)};
                       gelu_tanh_backward(g[0].data(), v[0].data(), r.data(), n);
                       return g;
                     }});
  }
  {  // LayerNorm with a larger epsilon than the default, which the backward reads through rstd
    const int N = 2, C = 4;
    const double eps = 0.05;
    const Vec r = random_vec(N * C, rng);
    const auto forward = [=](const Vars& v, Vec& mean, Vec& rstd) {
      Vec out(N * C);
      mean.assign(N, 0.0);
      rstd.assign(N, 0.0);
      layernorm_forward(out.data(), mean.data(), rstd.data(), v[0].data(), v[1].data(), v[2].data(), N, C, eps);
      return out;
    };
    cases.push_back({"layernorm (eps 0.05)",
                     {random_vec(N * C, rng, 0.3), random_vec(C, rng), random_vec(C, rng)},
                     [=](const Vars& v) {
                       Vec mean, rstd;
                       return dot(forward(v, mean, rstd), r);
                     },
                     [=](const Vars& v) {
                       Vec mean, rstd;
                       forward(v, mean, rstd);
                       Vars g{Vec(N * C), Vec(C), Vec(C)};
                       layernorm_backward(g[0].data(), g[1].data(), g[2].data(), r.data(), v[0].data(), v[1].data(),
                                          mean.data(), rstd.data(), N, C);
                       return g;
                     }});
  }
  {  // RoPE on q and k of B=2, T=5, H=2, D=4
    const int B = 2, T = 5, H = 2, D = 4, n = B * T * 3 * H * D;
    const Vec r = random_vec(n, rng);
    Vec table(static_cast<std::size_t>(T * D));
    rope_table(table.data(), T, D);
    cases.push_back({"rope",
                     {random_vec(n, rng)},
                     [=](const Vars& v) {
                       Vec x = v[0];
                       rope_forward(x.data(), table.data(), B, T, H, D);
                       return dot(x, r);
                     },
                     [=](const Vars&) {
                       Vars g{r};
                       rope_backward(g[0].data(), table.data(), B, T, H, D);
                       return g;
                     }});
  }
  // Attention: causal and not, a temperature, and a knocked-out head.
  for (const bool causal : {false, true}) {
    const int B = 2, T = 4, H = 3, D = 2, I = H * D;
    const double scale = 1.0 / (std::sqrt(static_cast<double>(D)) * 0.7);
    const std::vector<std::uint8_t> knocked{0, 1, 0};
    const Vec r = random_vec(static_cast<std::size_t>(B * T * I), rng);
    const auto forward = [=](const Vec& qkv, Vec& attn) {
      Vec scores(static_cast<std::size_t>(B * H * T * T)), concat(static_cast<std::size_t>(B * T * I));
      attn.assign(scores.size(), 0.0);
      attention_forward(scores.data(), attn.data(), concat.data(), qkv.data(), B, T, H, D, scale, causal,
                        knocked.data());
      return concat;
    };
    cases.push_back({causal ? "attention (causal)" : "attention",
                     {random_vec(static_cast<std::size_t>(B * T * 3 * I), rng)},
                     [=](const Vars& v) {
                       Vec attn;
                       return dot(forward(v[0], attn), r);
                     },
                     [=](const Vars& v) {
                       Vec attn;
                       forward(v[0], attn);
                       Vars g{Vec(v[0].size())};
                       Vec workspace(static_cast<std::size_t>(T * T));
                       attention_backward(g[0].data(), workspace.data(), r.data(), v[0].data(), attn.data(), B, T, H, D,
                                          scale, causal, knocked.data());
                       return g;
                     }});
  }
  {  // Cross-entropy over N=4 rows of V=6, one row not counted
    const int N = 4, V = 6;
    const std::vector<std::int32_t> targets{2, -1, 0, 5};
    cases.push_back({"crossentropy",
                     {random_vec(N * V, rng, 2.0)},
                     [=](const Vars& v) {
                       Vec probs(N * V), losses(N);
                       return crossentropy_forward(probs.data(), losses.data(), v[0].data(), targets.data(), N, V);
                     },
                     [=](const Vars& v) {
                       Vec probs(N * V), losses(N);
                       crossentropy_forward(probs.data(), losses.data(), v[0].data(), targets.data(), N, V);
                       Vars g{Vec(N * V)};
                       crossentropy_backward(g[0].data(), probs.data(), targets.data(), N, V);
                       return g;
                     }});
  }
  {  // Tied embeddings (GPT-2); last, so that the rows above keep their random values. One table
    // W (V=6, E=4) is read twice: as the embedding rows of ids (N=5) and as the unembedding,
    // logits (N, V) = x · W^T. Its gradient is the sum of both uses: the lookup's rows are
    // scattered first, then linear_backward must ADD its share (a backward that wrote dweight
    // would pass the "linear" row, whose gradient starts at 0, and lose the lookup's here).
    const int N = 5, V = 6, E = 4;
    const std::vector<std::size_t> ids{3, 0, 3, 5, 1};
    const Vec r_emb = random_vec(N * E, rng), r_logits = random_vec(N * V, rng);
    const auto row = [](std::size_t i, int e) { return i * E + static_cast<std::size_t>(e); };
    cases.push_back({"tied embeddings",
                     {random_vec(V * E, rng), random_vec(N * E, rng)},
                     [=](const Vars& v) {
                       double sum = 0;
                       for (std::size_t i = 0; i < ids.size(); ++i)
                         for (int e = 0; e < E; ++e) sum += v[0][row(ids[i], e)] * r_emb[row(i, e)];
                       Vec logits(N * V);
                       linear_forward(logits.data(), v[1].data(), v[0].data(), static_cast<const double*>(nullptr), N,
                                      E, V);
                       return sum + dot(logits, r_logits);
                     },
                     [=](const Vars& v) {
                       Vars g{Vec(V * E), Vec(N * E)};
                       for (std::size_t i = 0; i < ids.size(); ++i)
                         for (int e = 0; e < E; ++e) g[0][row(ids[i], e)] += r_emb[row(i, e)];
                       linear_backward(g[1].data(), g[0].data(), static_cast<double*>(nullptr), r_logits.data(),
                                       v[1].data(), v[0].data(), N, E, V);
                       return g;
                     }});
  }
  return cases;
}

}  // namespace

namespace {

// Every entry of every variable: the analytic gradient against a central difference.
void check_case(const OpCase& op) {
  const Vars analytic = op.gradient(op.vars);
  REQUIRE(analytic.size() == op.vars.size());
  for (std::size_t v = 0; v < op.vars.size(); ++v)
    for (std::size_t i = 0; i < op.vars[v].size(); ++i) {
      const double eps = 1e-6;
      Vars plus = op.vars, minus = op.vars;
      plus[v][i] += eps;
      minus[v][i] -= eps;
      const double numeric = (op.loss(plus) - op.loss(minus)) / (2 * eps);
      const double err = std::fabs(analytic[v][i] - numeric) / std::max(1.0, std::fabs(numeric));
      INFO(op.name << ": variable " << v << " entry " << i << ": backward " << analytic[v][i] << ", finite difference "
                   << numeric);
      CHECK(err < op.tolerance);
    }
}

// The table's rows named `names`, each checked; a name missing from the table fails.
void check_rows(const std::vector<std::string>& names) {
  const std::vector<OpCase> cases = op_cases();
  for (const std::string& name : names) {
    const auto row = std::find_if(cases.begin(), cases.end(), [&](const OpCase& c) { return c.name == name; });
    INFO("row " << name);
    REQUIRE(row != cases.end());
    check_case(*row);
  }
}

}  // namespace

// One test case per op, so a failure names the op and each runs (and is timed) on its own.
TEST_CASE("layernorm backward matches finite differences in double precision", "[grad]") {
  check_rows({"layernorm", "layernorm (eps 0.05)"});
}
TEST_CASE("linear backward matches finite differences in double precision", "[grad]") { check_rows({"linear"}); }
TEST_CASE("tied embeddings backward matches finite differences in double precision", "[grad]") {
  check_rows({"tied embeddings"});
}
TEST_CASE("exact GELU backward matches finite differences in double precision", "[grad]") { check_rows({"gelu"}); }
TEST_CASE("tanh GELU backward matches finite differences in double precision", "[grad]") {
  check_rows({"gelu (tanh)"});
}
TEST_CASE("rope backward matches finite differences in double precision", "[grad]") { check_rows({"rope"}); }
TEST_CASE("attention backward matches finite differences in double precision", "[grad]") {
  check_rows({"attention", "attention (causal)"});
}
TEST_CASE("crossentropy backward matches finite differences in double precision", "[grad]") {
  check_rows({"crossentropy"});
}

TEST_CASE("every row of the op gradient table is checked by one of the cases above", "[grad]") {
  std::vector<std::string> names;
  for (const OpCase& c : op_cases()) names.push_back(c.name);
  // A new row fails here until a test case above checks it.
  CHECK(names == std::vector<std::string>{"layernorm", "linear", "gelu", "gelu (tanh)", "layernorm (eps 0.05)", "rope",
                                          "attention", "attention (causal)", "crossentropy", "tied embeddings"});
}

TEST_CASE("a knocked-out head passes no gradient and outputs zeros", "[grad]") {
  const int B = 1, T = 3, H = 2, D = 2, I = H * D;
  std::mt19937 rng(5);
  const Vec qkv = random_vec(static_cast<std::size_t>(B * T * 3 * I), rng);
  const std::vector<std::uint8_t> knocked{1, 0};
  Vec scores(static_cast<std::size_t>(H * T * T)), attn(scores.size()), concat(static_cast<std::size_t>(T * I), 7.0);
  attn::nn::attention_forward(scores.data(), attn.data(), concat.data(), qkv.data(), B, T, H, D, 1.0, true,
                              knocked.data());
  for (int t = 0; t < T; ++t)
    for (int d = 0; d < D; ++d) CHECK(concat[static_cast<std::size_t>(t * I + d)] == 0.0);
  Vec dqkv(qkv.size()), workspace(static_cast<std::size_t>(T * T));
  const Vec dconcat(concat.size(), 1.0);
  attn::nn::attention_backward(dqkv.data(), workspace.data(), dconcat.data(), qkv.data(), attn.data(), B, T, H, D, 1.0,
                               true, knocked.data());
  for (int t = 0; t < T; ++t)
    for (int part = 0; part < 3; ++part)
      for (int d = 0; d < D; ++d) CHECK(dqkv[static_cast<std::size_t>(t * 3 * I + part * I + d)] == 0.0);
}

TEST_CASE("the tanh GELU is GPT-2's formula and the LayerNorm epsilon is used", "[grad]") {
  // Literal values of 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed by hand in double.
  const Vec x{-3.0, -1.0, 0.0, 0.5, 2.0};
  Vec out(x.size());
  attn::nn::gelu_tanh_forward(out.data(), x.data(), x.size());
  const Vec want{-0.0036373920817729943, -0.15880800939172324, 0.0, 0.34571400982514394, 1.954597694087775};
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(out[i] == Approx(want[i]).margin(1e-15));
  // A row (1, 3) whose variance is 2/3: rstd = 1 / sqrt(2/3 + eps).
  const Vec row{1.0, 2.0, 3.0}, w{1.0, 1.0, 1.0}, bias{0.0, 0.0, 0.0};
  Vec y(3), mean(1), rstd(1);
  attn::nn::layernorm_forward(y.data(), mean.data(), rstd.data(), row.data(), w.data(), bias.data(), 1, 3, 0.1);
  CHECK(rstd[0] == Approx(1.0 / std::sqrt(2.0 / 3.0 + 0.1)));
}
