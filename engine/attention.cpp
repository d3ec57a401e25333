// The explorer's attention: one block of the transformer with its LayerNorms, token embedding and
// unembedding switched off, run by model_forward_stream and kept as a SequenceRun.
#include "engine/attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/embedding.hpp"
#include "engine/positional.hpp"

namespace attn {

Model explorer_model(const ModelConfig& config, const MhaWeights& weights) {
  validate(config);
  check_weights(weights, config);
  Model m;
  m.arch.n_layers = 1;
  m.arch.d_model = config.d_model;
  m.arch.n_heads = config.n_heads;
  m.arch.d_head = config.resolved_d_head();
  m.arch.mlp = false;
  m.arch.vocab_size = 0;   // no token table and no logits
  m.arch.max_seq_len = 0;  // the stream carries its own positions: any length
  m.arch.learned_positions = false;
  m.arch.layer_norm = false;
  m.arch.token_embedding = false;
  m.arch.unembedding = false;
  m.run.causal = config.causal;
  m.run.positional = config.positional;
  m.run.temperature = config.temperature;
  m.layout = ParamLayout::of(m.arch);
  m.params.assign(m.layout.total, 0.0f);
  const auto put = [&](const char* name, const float* src) {
    const ParamTensor* t = m.layout.find(std::string("blocks.0.attn.") + name);
    std::copy(src, src + t->size, m.params.begin() + static_cast<std::ptrdiff_t>(t->offset));
  };
  put("in_proj_weight", weights.in_proj_weight.data());
  put("in_proj_bias", weights.in_proj_bias.data());
  put("out_proj.weight", weights.out_proj_weight.data());
  put("out_proj.bias", weights.out_proj_bias.data());
  return m;
}

namespace {

// x (n, E) through the explorer model, config as used (d_head resolved).
SequenceRun run_stream(const xt::xtensor<float, 2>& x, const Model& model, const ModelConfig& config,
                       Tokenization tokenization) {
  const std::size_t E = static_cast<std::size_t>(model.arch.d_model);
  if (x.shape()[1] != E)
    throw std::invalid_argument("x has " + std::to_string(x.shape()[1]) + " columns but d_model is " +
                                std::to_string(E));
  SequenceRun r;
  r.config = config;
  r.config.d_head = model.arch.d_head;
  r.arch = model.arch;
  r.tokenization = std::move(tokenization);
  model_forward_stream(model, x.data(), 1, static_cast<int>(x.shape()[0]), r.acts);
  return r;
}

}  // namespace

SequenceRun forward(const xt::xtensor<float, 2>& x, const MhaWeights& weights, const ModelConfig& config) {
  return run_stream(x, explorer_model(config, weights), config, {});
}

SequenceRun run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const Model& model,
                std::size_t max_tokens) {
  validate(config);
  Tokenization tokenization = tokenize(text, mode, max_tokens);
  const int n = static_cast<int>(tokenization.tokens.size());
  const xt::xtensor<float, 2> x = embed_tokens(tokenization.tokens, config.d_model, config.seed) +
                                  positional_table(config.positional, n, config.d_model, config.seed);
  return run_stream(x, model, config, std::move(tokenization));
}

SequenceRun run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const MhaWeights& weights,
                std::size_t max_tokens) {
  return run(text, mode, config, explorer_model(config, weights), max_tokens);
}

double forward_flops(std::size_t n_tokens, const ModelConfig& config) {
  const double n = static_cast<double>(n_tokens), E = config.d_model, H = config.n_heads, D = config.resolved_d_head(),
               I = H * D;
  return 2.0 * n * E * 3.0 * I      // input projection
         + H * 2.0 * n * n * D * 2  // scores and attn · v
         + 2.0 * n * I * E          // output projection
         + 5.0 * H * n * n;         // softmax
}

}  // namespace attn
