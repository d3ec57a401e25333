// Deterministic token vectors: the same word gives the same vector in every sentence for one seed.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "engine/text/tokenizer.hpp"

namespace attn {

// One word's embedding: d_model values drawn from N(0, 1) by a generator seeded with
// hash(text) mixed with seed, so each dimension has unit variance across words.
void embed_word(std::string_view text, std::uint64_t seed, float* out, int d_model);

// tokens -> (n_tokens, d_model), row i = embed_word(tokens[i].text, seed).
xt::xtensor<float, 2> embed_tokens(const std::vector<Token>& tokens, int d_model, std::uint64_t seed);

}  // namespace attn
