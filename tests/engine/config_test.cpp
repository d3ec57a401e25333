// Config validation names the numbers; positional encodings and embeddings are deterministic.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/config.hpp"
#include "engine/embedding.hpp"
#include "engine/positional.hpp"

TEST_CASE("invalid configs throw with the numbers in the message", "[config]") {
  attn::ModelConfig c;
  c.d_model = 30;
  c.n_heads = 4;
  CHECK_THROWS_WITH(attn::validate(c), "d_model (30) must be divisible by n_heads (4)");
  CHECK_THROWS_AS(attn::validate(c), std::invalid_argument);
  c = {};
  c.n_heads = 40;
  CHECK_THROWS_WITH(attn::validate(c), Catch::Contains("n_heads (40)") && Catch::Contains("32"));
  c = {};
  c.d_model = 0;
  CHECK_THROWS_WITH(attn::validate(c), Catch::Contains("d_model (0)"));
  c = {};
  c.d_model = 2048;
  CHECK_THROWS_WITH(attn::validate(c), Catch::Contains("d_model (2048)") && Catch::Contains("1024"));
  c = {};
  c.positional = attn::Positional::Rope;
  c.d_model = 20;
  c.n_heads = 4;  // d_head 5
  CHECK_THROWS_WITH(attn::validate(c), Catch::Contains("even d_head, got 5"));
  c = {};
  c.temperature = 0.0f;
  CHECK_THROWS_WITH(attn::validate(c), "temperature (0) must be a finite number > 0");
  c.temperature = 0x1p-149f;  // the smallest float: 1 / (sqrt(d_head) * T) would overflow
  CHECK_THROWS_WITH(attn::validate(c), "temperature (1.4013e-45) must be between 1e-06 and 1e+06");
  c.temperature = 1e-6f;
  CHECK_NOTHROW(attn::validate(c));
  c.temperature = NAN;
  CHECK_THROWS_AS(attn::validate(c), std::invalid_argument);
  c = {};
  c.d_model = 30;
  c.n_heads = 4;
  c.d_head = 7;  // explicit: no divisibility needed
  CHECK_NOTHROW(attn::validate(c));
  CHECK(c.inner_dim() == 28);
}

TEST_CASE("names round-trip", "[config]") {
  for (auto p :
       {attn::Positional::None, attn::Positional::Sinusoidal, attn::Positional::Learned, attn::Positional::Rope})
    CHECK(attn::parse_positional(attn::to_string(p)) == p);
  CHECK_FALSE(attn::parse_positional("spiral"));
  CHECK(attn::parse_tokenizer_mode("char") == attn::TokenizerMode::Char);
  CHECK_FALSE(attn::parse_tokenizer_mode("bpe"));
}

TEST_CASE("sinusoidal positions have the paper's values", "[positional]") {
  const auto pe = attn::positional_table(attn::Positional::Sinusoidal, 3, 5, 0);
  CHECK(pe(0, 0) == 0.0f);
  CHECK(pe(0, 1) == 1.0f);
  CHECK(pe(1, 0) == Approx(std::sin(1.0)));
  CHECK(pe(1, 1) == Approx(std::cos(1.0)));
  CHECK(pe(2, 2) == Approx(std::sin(2.0 / std::pow(10000.0, 2.0 / 5.0))));
  CHECK(pe(2, 4) == Approx(std::sin(2.0 / std::pow(10000.0, 4.0 / 5.0))));  // odd d_model: last is sin
}

TEST_CASE("learned positions depend on position and seed only", "[positional]") {
  const auto a = attn::positional_table(attn::Positional::Learned, 4, 8, 1);
  const auto b = attn::positional_table(attn::Positional::Learned, 9, 8, 1);
  const auto c = attn::positional_table(attn::Positional::Learned, 4, 8, 2);
  for (std::size_t j = 0; j < 8; ++j) {
    CHECK(a(3, j) == b(3, j));
    CHECK(a(3, j) != c(3, j));
  }
  const auto none = attn::positional_table(attn::Positional::None, 3, 4, 1);
  const auto rope = attn::positional_table(attn::Positional::Rope, 3, 4, 1);
  for (float v : none) CHECK(v == 0.0f);
  for (float v : rope) CHECK(v == 0.0f);
}

TEST_CASE("RoPE rotates pairs: position 0 unchanged, norms kept, scores relative", "[positional]") {
  xt::xtensor<float, 3> x = xt::xtensor<float, 3>::from_shape({1, 6, 4});
  for (std::size_t p = 0; p < 6; ++p)
    for (std::size_t d = 0; d < 4; ++d) x(0, p, d) = static_cast<float>(d + 1);  // same vector everywhere
  xt::xtensor<float, 3> r = x;
  attn::apply_rope(r);
  for (std::size_t d = 0; d < 4; ++d) CHECK(r(0, 0, d) == x(0, 0, d));
  for (std::size_t p = 0; p < 6; ++p) {
    double n0 = 0, n1 = 0;
    for (std::size_t d = 0; d < 4; ++d) {
      n0 += x(0, p, d) * x(0, p, d);
      n1 += r(0, p, d) * r(0, p, d);
    }
    CHECK(n1 == Approx(n0));
  }
  // The same q and k at positions (1, 3) and (2, 4) give the same dot product: distance 2.
  const auto dot = [&](std::size_t a, std::size_t b) {
    double s = 0;
    for (std::size_t d = 0; d < 4; ++d) s += r(0, a, d) * r(0, b, d);
    return s;
  };
  CHECK(dot(1, 3) == Approx(dot(2, 4)).margin(1e-5));
  CHECK(dot(0, 5) == Approx(dot(0, 5)));
  xt::xtensor<float, 3> odd = xt::zeros<float>({1, 2, 3});
  CHECK_THROWS_WITH(attn::apply_rope(odd), Catch::Contains("even d_head, got 3"));
}

TEST_CASE("the same word has the same vector in every sentence, seeds differ", "[embedding]") {
  std::vector<float> a(16), b(16), c(16);
  attn::embed_word("cat", 42, a.data(), 16);
  attn::embed_word("cat", 42, b.data(), 16);
  attn::embed_word("cat", 43, c.data(), 16);
  CHECK(a == b);
  CHECK(a != c);
  const auto x = attn::embed_tokens({{"cat", 0, 3, false}, {"dog", 4, 7, false}, {"cat", 8, 11, false}}, 16, 42);
  for (std::size_t j = 0; j < 16; ++j) {
    CHECK(x(0, j) == a[j]);
    CHECK(x(2, j) == a[j]);
  }
}

TEST_CASE("embeddings have unit variance per dimension", "[embedding]") {
  const int words = 4000, d = 8;
  std::vector<double> sum(d, 0.0), sq(d, 0.0);
  std::vector<float> v(d);
  for (int w = 0; w < words; ++w) {
    attn::embed_word("w" + std::to_string(w), 7, v.data(), d);
    for (int j = 0; j < d; ++j) {
      sum[j] += v[j];
      sq[j] += double(v[j]) * v[j];
    }
  }
  for (int j = 0; j < d; ++j) {
    const double mean = sum[j] / words, var = sq[j] / words - mean * mean;
    CHECK(std::fabs(mean) < 0.06);
    CHECK(var == Approx(1.0).margin(0.08));
  }
}
