// Positional encodings. Sinusoidal and learned tables are added to x; RoPE rotates q and k.
#include "engine/positional.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/rng.hpp"

namespace attn {

xt::xtensor<float, 2> positional_table(Positional kind, int n_tokens, int d_model, std::uint64_t seed) {
  const std::size_t n = static_cast<std::size_t>(n_tokens), e = static_cast<std::size_t>(d_model);
  xt::xtensor<float, 2> table = xt::zeros<float>({n, e});
  if (kind == Positional::Sinusoidal) {
    // PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same): each pair a clock of its own speed.
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t j = 0; j < e; j += 2) {
        const double angle =
            static_cast<double>(p) / std::pow(10000.0, static_cast<double>(j) / static_cast<double>(e));
        table(p, j) = static_cast<float>(std::sin(angle));
        if (j + 1 < e) table(p, j + 1) = static_cast<float>(std::cos(angle));
      }
  } else if (kind == Positional::Learned) {
    // One seeded row per position, with the sinusoidal table's variance (1/2), so switching
    // between the two changes the pattern, not the scale.
    const float std_dev = std::sqrt(0.5f);
    for (std::size_t p = 0; p < n; ++p) {
      float* row = table.data() + p * e;
      detail::fill_normal(detail::mix(seed ^ 0x5EED5EED5EEDull, p), row, d_model);
      for (std::size_t j = 0; j < e; ++j) row[j] *= std_dev;
    }
  }
  return table;
}

void apply_rope(xt::xtensor<float, 3>& x) {
  const std::size_t heads = x.shape()[0], n = x.shape()[1], d = x.shape()[2];
  if (d % 2 != 0) throw std::invalid_argument("rotary positions (rope) need an even d_head, got " + std::to_string(d));
  for (std::size_t i = 0; i < d / 2; ++i) {
    const double freq = std::pow(10000.0, -2.0 * static_cast<double>(i) / static_cast<double>(d));
    for (std::size_t p = 0; p < n; ++p) {
      const double angle = static_cast<double>(p) * freq;
      const float c = static_cast<float>(std::cos(angle)), s = static_cast<float>(std::sin(angle));
      for (std::size_t h = 0; h < heads; ++h) {
        float* pair = x.data() + (h * n + p) * d + 2 * i;
        const float a = pair[0], b = pair[1];
        pair[0] = a * c - b * s;
        pair[1] = a * s + b * c;
      }
    }
  }
}

}  // namespace attn
