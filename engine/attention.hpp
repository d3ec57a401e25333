// The explorer: multi-head attention on a typed sentence with random (or given) weights, every
// intermediate kept for drawing and export, computed by the transformer's one forward.
#pragma once
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "engine/config.hpp"
#include "engine/model/sequence_run.hpp"
#include "engine/model/transformer.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/weights.hpp"

namespace attn {

// The explorer as a model: one block of the transformer (engine/model/transformer.hpp) with the
// LayerNorms, token embedding, unembedding and MLP switched off, so its attention sublayer is
// exactly nn.MultiheadAttention on the stream it is given. Its parameters are `weights` under the
// transformer's names (blocks.0.attn.in_proj_weight, ...); its run options are config's mask,
// positions and temperature. Throws std::invalid_argument for an invalid config or weights that
// do not fit it.
Model explorer_model(const ModelConfig& config, const MhaWeights& weights);

// x: (n, E) -> the explorer model's forward (model_forward_stream), with no tokens. Its one
// layer's x is x itself. Throws std::invalid_argument for an invalid config or weights/x that do
// not fit it. n = 0 gives a valid run of empty tensors.
SequenceRun forward(const xt::xtensor<float, 2>& x, const MhaWeights& weights, const ModelConfig& config);

// text -> tokens -> embeddings + positions -> the explorer model's forward. The whole pipeline
// the app and CLI use. `model`: explorer_model() of config's shape (its run options are used).
SequenceRun run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const Model& model,
                std::size_t max_tokens = kDefaultMaxTokens);
// The same with the model made from weights first.
SequenceRun run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const MhaWeights& weights,
                std::size_t max_tokens = kDefaultMaxTokens);

// Floating-point operations of one forward() (multiply-add = 2), for benchmark GFLOP/s.
double forward_flops(std::size_t n_tokens, const ModelConfig& config);

}  // namespace attn
