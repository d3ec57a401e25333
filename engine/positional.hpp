// Positional encodings: added tables (sinusoidal, learned) and rotary (RoPE) applied to q and k.
#pragma once
#include <cstdint>

#include <xtensor/xtensor.hpp>

#include "engine/config.hpp"

namespace attn {

// (n_tokens, d_model) table added to the embeddings. None and Rope give zeros (RoPE acts on q, k).
// Sinusoidal: PE[p, 2i] = sin(p / 10000^(2i/d_model)), PE[p, 2i+1] = cos(same angle).
// Learned: a seeded table, entry (p, j) ~ N(0, 1/2) (the variance of the sinusoidal table),
// the same for a position whatever n_tokens is.
xt::xtensor<float, 2> positional_table(Positional kind, int n_tokens, int d_model, std::uint64_t seed);

// Rotary encoding in place on x: (n_heads, n_tokens, d_head), d_head even. Pairs (2i, 2i+1) of
// token p are rotated by the angle p * 10000^(-2i/d_head) (RoFormer, interleaved pairs).
// Throws std::invalid_argument for an odd d_head.
void apply_rope(xt::xtensor<float, 3>& x);

}  // namespace attn
