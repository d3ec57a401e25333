// Word vectors from a hash of the word and the seed: no vocabulary, any word, same vector in
// every sentence.
#include "engine/embedding.hpp"

#include "engine/rng.hpp"

namespace attn {

void embed_word(std::string_view text, std::uint64_t seed, float* out, int d_model) {
  detail::fill_normal(detail::mix(detail::fnv1a(text), seed), out, d_model);
}

xt::xtensor<float, 2> embed_tokens(const std::vector<Token>& tokens, int d_model, std::uint64_t seed) {
  const std::size_t n = tokens.size(), e = static_cast<std::size_t>(d_model);
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({n, e});
  for (std::size_t i = 0; i < n; ++i) embed_word(tokens[i].text, seed, x.data() + i * e, d_model);
  return x;
}

}  // namespace attn
