// The engine's deterministic random numbers: splitmix64 and Box-Muller, defined here so results
// are identical on every standard library (std:: distributions are not).
#pragma once
#include <cmath>
#include <cstdint>
#include <string_view>

namespace attn::detail {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in (0, 1): 53 random bits, never exactly 0 (Box-Muller takes a log).
inline double uniform_open(std::uint64_t& state) {
  return (static_cast<double>(splitmix64(state) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

// Fills out[0..n) with N(0, 1) samples.
inline void fill_normal(std::uint64_t state, float* out, int n) {
  constexpr double kTwoPi = 6.283185307179586;
  for (int i = 0; i < n; i += 2) {
    const double r = std::sqrt(-2.0 * std::log(uniform_open(state)));
    const double angle = kTwoPi * uniform_open(state);
    out[i] = static_cast<float>(r * std::cos(angle));
    if (i + 1 < n) out[i + 1] = static_cast<float>(r * std::sin(angle));
  }
}

inline std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// Several 64-bit values mixed into one seed.
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t s = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
  return splitmix64(s);
}

}  // namespace attn::detail
