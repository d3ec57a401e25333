// Every instruction-set build of the float kernels (nn/simd.hpp) that this CPU can run gives the
// portable build's numbers: the dispatch can then never change a result, only its speed. A CPU
// without AVX-512 checks the levels it has; the portable level is checked everywhere.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "engine/nn/float_kernels.hpp"
#include "engine/nn/ops.hpp"
#include "engine/nn/simd.hpp"
#include "engine/softmax.hpp"

namespace {

std::vector<float> random_floats(std::size_t n, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// The three builds run the same operations in the same order, but the compiler may pick other
// instructions for the wider sets (AVX-512 computed one softmax weight 1 ulp apart): equal to a
// few ulp, exact zeros (masked keys, flushed weights) exactly zero. Anything more is a dispatch
// or code-generation fault.
void require_agreement(const std::vector<float>& got, const std::vector<float>& want, const char* what,
                       attn::SimdLevel level) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO(what << " on " << attn::simd_level_name(level) << ", element " << i << ": " << got[i] << " vs portable "
              << want[i]);
    REQUIRE(std::isfinite(got[i]) == std::isfinite(want[i]));
    REQUIRE((got[i] == 0.0f) == (want[i] == 0.0f));
    REQUIRE(std::fabs(got[i] - want[i]) <= 1e-6f * std::max(std::fabs(got[i]), std::fabs(want[i])));
  }
}

}  // namespace

TEST_CASE("the chosen instruction set is one this CPU supports", "[simd]") {
  const auto levels = attn::supported_simd_levels();
  REQUIRE(levels.front() == attn::SimdLevel::Portable);
  bool found = false;
  for (auto level : levels) found = found || level == attn::cpu_simd_level();
  INFO("chosen: " << attn::simd_level_name(attn::cpu_simd_level()));
  REQUIRE(found);
}

TEST_CASE("softmax_row: every instruction set agrees with the portable build", "[simd]") {
  for (std::size_t n : {1u, 7u, 8u, 9u, 31u, 64u, 200u}) {
    auto scores = random_floats(n, 4.0f, static_cast<unsigned>(n));
    scores[0] = -1e30f;  // one weight below e^-80 of the row's largest: flushed to 0 everywhere
    for (std::size_t visible : {std::size_t{0}, n / 2, n}) {
      std::vector<float> want(n, -1.0f);
      attn::softmax_row_at(attn::SimdLevel::Portable, scores.data(), want.data(), visible, n);
      for (auto level : attn::supported_simd_levels()) {
        std::vector<float> got(n, -2.0f);
        attn::softmax_row_at(level, scores.data(), got.data(), visible, n);
        require_agreement(got, want, "softmax_row", level);
      }
    }
  }
}

TEST_CASE("LayerNorm forward and backward: every instruction set agrees with the portable build", "[simd]") {
  const int N = 5, C = 48;
  const std::size_t nc = static_cast<std::size_t>(N * C);
  const auto inp = random_floats(nc, 2.0f, 1), weight = random_floats(C, 1.0f, 2), bias = random_floats(C, 1.0f, 3);
  const auto dout = random_floats(nc, 1.0f, 4);
  auto run = [&](attn::SimdLevel level) {
    std::vector<float> out(nc), mean(N), rstd(N), dinp(nc, 0.5f), dweight(C, 0.25f), dbias(C, 0.125f);
    attn::nn::layernorm_forward_f32_at(level, out.data(), mean.data(), rstd.data(), inp.data(), weight.data(),
                                       bias.data(), N, C);
    attn::nn::layernorm_backward_f32_at(level, dinp.data(), dweight.data(), dbias.data(), dout.data(), inp.data(),
                                        weight.data(), mean.data(), rstd.data(), N, C);
    std::vector<float> all = out;
    for (const auto* v : {&mean, &rstd, &dinp, &dweight, &dbias}) all.insert(all.end(), v->begin(), v->end());
    return all;
  };
  const auto want = run(attn::SimdLevel::Portable);
  for (auto level : attn::supported_simd_levels()) require_agreement(run(level), want, "LayerNorm", level);
}

TEST_CASE("GELU forward and backward: every instruction set agrees with the portable build", "[simd]") {
  const std::size_t n = 203;  // a vector body and a scalar tail
  const auto inp = random_floats(n, 3.0f, 5), dout = random_floats(n, 1.0f, 6);
  auto run = [&](attn::SimdLevel level) {
    std::vector<float> out(n), dinp(n);
    attn::nn::gelu_forward_f32_at(level, out.data(), inp.data(), n);
    attn::nn::gelu_backward_f32_at(level, dinp.data(), inp.data(), dout.data(), n);
    out.insert(out.end(), dinp.begin(), dinp.end());
    return out;
  };
  const auto want = run(attn::SimdLevel::Portable);
  for (auto level : attn::supported_simd_levels()) require_agreement(run(level), want, "GELU", level);
}

TEST_CASE("tanh GELU forward and backward: every instruction set agrees with the portable build", "[simd]") {
  const std::size_t n = 203;
  const auto inp = random_floats(n, 3.0f, 7), dout = random_floats(n, 1.0f, 8);
  auto run = [&](attn::SimdLevel level) {
    std::vector<float> out(n), dinp(n);
    attn::nn::gelu_tanh_forward_f32_at(level, out.data(), inp.data(), n);
    attn::nn::gelu_tanh_backward_f32_at(level, dinp.data(), inp.data(), dout.data(), n);
    out.insert(out.end(), dinp.begin(), dinp.end());
    return out;
  };
  const auto want = run(attn::SimdLevel::Portable);
  for (auto level : attn::supported_simd_levels()) require_agreement(run(level), want, "tanh GELU", level);
}

namespace {

// One GELU's float kernels on every instruction set against its double reference, forward and
// backward, from -12 to 12 with the tails (where the curve saturates) and values near 0. The
// four callables are (out, x, n) and (dx, x, dout, n), the float ones with the level first.
template <class Forward, class Backward, class ForwardF32, class BackwardF32>
void check_gelu_against_double(Forward forward, Backward backward, ForwardF32 forward_f32, BackwardF32 backward_f32,
                               double forward_tolerance) {
  std::vector<float> x;
  for (int i = -1200; i <= 1200; ++i) x.push_back(static_cast<float>(i) * 0.01f);
  for (float tiny : {1e-7f, -1e-7f, 3e-4f, -3e-4f, 40.0f, -40.0f}) x.push_back(tiny);
  const std::size_t n = x.size();
  const std::vector<double> xd(x.begin(), x.end()), ones(n, 1.0);
  std::vector<double> want(n), dwant(n);
  forward(want.data(), xd.data(), n);
  backward(dwant.data(), xd.data(), ones.data(), n);
  const std::vector<float> ones_f(n, 1.0f);
  for (auto level : attn::supported_simd_levels()) {
    std::vector<float> got(n), dgot(n);
    forward_f32(level, got.data(), x.data(), n);
    backward_f32(level, dgot.data(), x.data(), ones_f.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      INFO("x = " << x[i] << " on " << attn::simd_level_name(level) << ": " << got[i] << " vs " << want[i] << ", d "
                  << dgot[i] << " vs " << dwant[i]);
      REQUIRE(std::fabs(got[i] - want[i]) <= forward_tolerance * std::max(1.0, std::fabs(want[i])));
      REQUIRE(std::fabs(dgot[i] - dwant[i]) <= 1e-6 * std::max(1.0, std::fabs(dwant[i])));
    }
  }
}

}  // namespace

TEST_CASE("the float tanh GELU matches the double reference", "[simd]") {
  // Near 0, 1 + tanh loses nothing in the sigmoid form; through the op the model calls.
  check_gelu_against_double(
      [](double* y, const double* x, std::size_t n) { attn::nn::gelu_tanh_forward(y, x, n); },
      [](double* dx, const double* x, const double* dy, std::size_t n) { attn::nn::gelu_tanh_backward(dx, x, dy, n); },
      [](attn::SimdLevel l, float* y, const float* x, std::size_t n) {
        attn::nn::gelu_tanh_forward_f32_at(l, y, x, n);
      },
      [](attn::SimdLevel l, float* dx, const float* x, const float* dy, std::size_t n) {
        attn::nn::gelu_tanh_backward_f32_at(l, dx, x, dy, n);
      },
      2e-7);
}

TEST_CASE("the float exact GELU matches the double reference", "[simd]") {
  // The erf form (Phi saturates to 0 and 1 in the tails). Measured: 2.6e-7 forward, 1.8e-7
  // backward (the float erf's error), on every level.
  check_gelu_against_double(
      [](double* y, const double* x, std::size_t n) { attn::nn::gelu_forward(y, x, n); },
      [](double* dx, const double* x, const double* dy, std::size_t n) { attn::nn::gelu_backward(dx, x, dy, n); },
      [](attn::SimdLevel l, float* y, const float* x, std::size_t n) { attn::nn::gelu_forward_f32_at(l, y, x, n); },
      [](attn::SimdLevel l, float* dx, const float* x, const float* dy, std::size_t n) {
        attn::nn::gelu_backward_f32_at(l, dx, x, dy, n);
      },
      1e-6);
}

TEST_CASE("the float LayerNorm matches the double reference", "[simd]") {
  // Rows of several widths and spreads (a large mean over a small spread is where a float variance
  // loses digits), forward (out, mean, rstd) and backward (dinp, dweight, dbias), every level.
  for (const auto& [N, C, spread, offset] : std::vector<std::tuple<int, int, float, float>>{
           {4, 64, 1.0f, 0.0f}, {3, 256, 3.0f, 0.5f}, {5, 16, 0.05f, 4.0f}}) {
    const std::size_t nc = static_cast<std::size_t>(N * C);
    auto inp = random_floats(nc, spread, static_cast<unsigned>(C));
    for (float& v : inp) v += offset;
    const auto weight = random_floats(static_cast<std::size_t>(C), 1.0f, 21),
               bias = random_floats(static_cast<std::size_t>(C), 1.0f, 22);
    const auto dout = random_floats(nc, 1.0f, 23);
    const auto wide = [](const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); };
    const std::vector<double> inp_d = wide(inp), weight_d = wide(weight), bias_d = wide(bias), dout_d = wide(dout);
    std::vector<double> out_d(nc), mean_d(static_cast<std::size_t>(N)), rstd_d(static_cast<std::size_t>(N)),
        dinp_d(nc, 0.0), dweight_d(static_cast<std::size_t>(C), 0.0), dbias_d(static_cast<std::size_t>(C), 0.0);
    attn::nn::layernorm_forward(out_d.data(), mean_d.data(), rstd_d.data(), inp_d.data(), weight_d.data(),
                                bias_d.data(), N, C);
    attn::nn::layernorm_backward(dinp_d.data(), dweight_d.data(), dbias_d.data(), dout_d.data(), inp_d.data(),
                                 weight_d.data(), mean_d.data(), rstd_d.data(), N, C);
    for (auto level : attn::supported_simd_levels()) {
      std::vector<float> out(nc), mean(static_cast<std::size_t>(N)), rstd(static_cast<std::size_t>(N)), dinp(nc, 0.0f),
          dweight(static_cast<std::size_t>(C), 0.0f), dbias(static_cast<std::size_t>(C), 0.0f);
      attn::nn::layernorm_forward_f32_at(level, out.data(), mean.data(), rstd.data(), inp.data(), weight.data(),
                                         bias.data(), N, C);
      attn::nn::layernorm_backward_f32_at(level, dinp.data(), dweight.data(), dbias.data(), dout.data(), inp.data(),
                                          weight.data(), mean.data(), rstd.data(), N, C);
      // An input is rounded to 2^-24 of its size, and the normalized value divides that by the
      // spread: the tolerance grows with offset / spread as any float LayerNorm's error must.
      // Measured worst: 2.6e-7 at offset 0, 2.1e-5 at offset 4 over spread 0.05 (this tolerance 8.1e-5).
      const double tol = 1e-6 * (1.0 + static_cast<double>(offset / spread));
      const auto close = [&](const std::vector<float>& got, const std::vector<double>& want, const char* what) {
        for (std::size_t i = 0; i < got.size(); ++i) {
          INFO(what << " C " << C << " spread " << spread << " on " << attn::simd_level_name(level) << ", element " << i
                    << ": " << got[i] << " vs " << want[i]);
          REQUIRE(std::fabs(got[i] - want[i]) <= tol * std::max(1.0, std::fabs(want[i])));
        }
      };
      close(out, out_d, "out");
      close(mean, mean_d, "mean");
      close(rstd, rstd_d, "rstd");
      close(dinp, dinp_d, "dinp");
      close(dweight, dweight_d, "dweight");
      close(dbias, dbias_d, "dbias");
    }
  }
}

TEST_CASE("LayerNorm with a given epsilon: every instruction set agrees with the portable build", "[simd]") {
  const int N = 3, C = 16;
  const std::size_t nc = static_cast<std::size_t>(N * C);
  const auto inp = random_floats(nc, 0.01f, 9), weight = random_floats(C, 1.0f, 10), bias = random_floats(C, 1.0f, 11);
  auto run = [&](attn::SimdLevel level, double eps) {
    std::vector<float> out(nc), mean(N), rstd(N);
    attn::nn::layernorm_forward_f32_at(level, out.data(), mean.data(), rstd.data(), inp.data(), weight.data(),
                                       bias.data(), N, C, eps);
    out.insert(out.end(), rstd.begin(), rstd.end());
    return out;
  };
  const auto want = run(attn::SimdLevel::Portable, 1e-3);
  for (auto level : attn::supported_simd_levels()) require_agreement(run(level, 1e-3), want, "LayerNorm eps", level);
  // Rows of spread 0.01 have variance ~1e-4: an epsilon of 1e-3 must change them.
  CHECK(run(attn::SimdLevel::Portable, 1e-5)[nc] > 2.0f * want[nc]);
}

TEST_CASE("cross-entropy rows: every instruction set agrees with the portable build and with double", "[simd]") {
  for (std::size_t V : {1u, 7u, 8u, 203u, 4096u}) {
    // Spread +-150: some probabilities below e^-80 of the largest, which are flushed to 0 while
    // the log-sum-exp (and so every target's loss) stays exact.
    auto z = random_floats(V, 50.0f, static_cast<unsigned>(V));
    double max = -INFINITY, sum = 0.0;
    for (float x : z) max = std::max(max, static_cast<double>(x));
    for (float x : z) sum += std::exp(static_cast<double>(x) - max);
    const double lse = max + std::log(sum);
    std::vector<float> want(V);
    const float want_lse = attn::nn::softmax_lse_row_f32_at(attn::SimdLevel::Portable, want.data(), z.data(), V);
    for (auto level : attn::supported_simd_levels()) {
      std::vector<float> got(V);
      const float got_lse = attn::nn::softmax_lse_row_f32_at(level, got.data(), z.data(), V);
      require_agreement(got, want, "softmax_lse_row", level);
      INFO("V = " << V << " on " << attn::simd_level_name(level) << ": lse " << got_lse << " vs " << lse);
      REQUIRE(std::fabs(static_cast<double>(got_lse) - lse) <= 1e-6 * std::max(1.0, std::fabs(lse)));
      REQUIRE(std::fabs(got_lse - want_lse) <= 1e-6f * std::max(1.0f, std::fabs(want_lse)));
      for (std::size_t j = 0; j < V; ++j) {
        const double p = std::exp(static_cast<double>(z[j]) - lse);
        // z - max is rounded to float: at |z| ~ 150 half an ulp is 8e-6, relative to e^(z - max).
        INFO("probability " << j << ": " << got[j] << " vs " << p);
        REQUIRE(std::fabs(static_cast<double>(got[j]) - p) <= 2e-5 * p + 2e-35);
      }
    }
  }
  // A NaN or infinite logit gives a NaN log-sum-exp, so the loss says the row is broken.
  for (float bad : {NAN, INFINITY, -INFINITY}) {
    std::vector<float> z(20, 0.5f), p(20);
    z[13] = bad;
    if (std::isinf(bad) && bad < 0) z.assign(20, bad);
    for (auto level : attn::supported_simd_levels())
      CHECK(std::isnan(attn::nn::softmax_lse_row_f32_at(level, p.data(), z.data(), z.size())));
  }
}

TEST_CASE("cross-entropy of float logits: losses of flushed targets stay exact", "[simd]") {
  // Logits spread so that the target's probability is e^-100 of the largest: its loss is 100
  // (plus log of the sum), not infinite and not a fallback's.
  const int N = 2, V = 16;
  std::vector<float> logits(static_cast<std::size_t>(N * V), 0.0f), probs(logits.size()), losses(N);
  logits[0] = 100.0f;             // row 0: the target (3) is 100 below the largest
  logits[V + 5] = std::nanf("");  // row 1: a NaN logit
  const std::vector<std::int32_t> targets{3, 2};
  const float mean = attn::nn::crossentropy_forward(probs.data(), losses.data(), logits.data(), targets.data(), N, V);
  const double want = 100.0 + std::log(1.0 + 15.0 * std::exp(-100.0));
  CHECK(std::fabs(losses[0] - want) <= 1e-5 * want);
  CHECK(probs[3] == 0.0f);
  CHECK(std::isnan(losses[1]));
  CHECK(std::isnan(mean));
}

TEST_CASE("float attention heads (the fused path) match the double reference forward and backward", "[simd]") {
  // d_head a multiple of 8 up to 64 and up to 64 tokens run the float kernels (128 tokens runs
  // OpenBLAS's sgemm with a vectorised softmax backward); the double build runs OpenBLAS's dgemm. Every output and
  // gradient must agree to float rounding.
  for (int T : {1, 7, 32, 64, 128})
    for (int D : {8, 16, 32, 64})
      for (bool causal : {true, false}) {
        const int B = 2, H = 2, I = H * D;
        const std::size_t rows = static_cast<std::size_t>(B * T), TT = static_cast<std::size_t>(T * T);
        const auto qkv =
            random_floats(rows * 3 * static_cast<std::size_t>(I), 1.0f, static_cast<unsigned>(T * 100 + D));
        const auto dconcat = random_floats(rows * static_cast<std::size_t>(I), 1.0f, static_cast<unsigned>(T + D));
        const std::vector<std::uint8_t> knocked{0, 1};
        const float scale = 1.0f / std::sqrt(static_cast<float>(D));
        std::vector<float> s(B * H * TT), a(s.size()), concat(dconcat.size()), dqkv(qkv.size(), 7.0f), work(TT);
        attn::nn::attention_forward(s.data(), a.data(), concat.data(), qkv.data(), B, T, H, D, scale, causal,
                                    knocked.data());
        attn::nn::attention_backward(dqkv.data(), work.data(), dconcat.data(), qkv.data(), a.data(), B, T, H, D, scale,
                                     causal, knocked.data());
        const std::vector<double> qkv_d(qkv.begin(), qkv.end()), dconcat_d(dconcat.begin(), dconcat.end());
        std::vector<double> s_d(s.size()), a_d(s.size()), concat_d(concat.size()), dqkv_d(qkv.size()), work_d(TT);
        attn::nn::attention_forward(s_d.data(), a_d.data(), concat_d.data(), qkv_d.data(), B, T, H, D,
                                    static_cast<double>(scale), causal, knocked.data());
        attn::nn::attention_backward(dqkv_d.data(), work_d.data(), dconcat_d.data(), qkv_d.data(), a_d.data(), B, T, H,
                                     D, static_cast<double>(scale), causal, knocked.data());
        const auto compare = [&](const std::vector<float>& got, const std::vector<double>& want, const char* what) {
          for (std::size_t i = 0; i < got.size(); ++i) {
            INFO(what << " T=" << T << " D=" << D << " causal=" << causal << " element " << i << ": " << got[i]
                      << " vs " << want[i]);
            REQUIRE(std::fabs(static_cast<double>(got[i]) - want[i]) <= 2e-5 * std::max(1.0, std::fabs(want[i])));
            if (want[i] == 0.0) REQUIRE(got[i] == 0.0f);  // masked weights, knocked-out outputs
          }
        };
        compare(s, s_d, "scores");
        compare(a, a_d, "attn");
        compare(concat, concat_d, "concat");
        compare(dqkv, dqkv_d, "dqkv");
      }
}
