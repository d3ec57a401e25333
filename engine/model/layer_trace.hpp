// One layer of a transformer forward over a single sequence, as the explorer's attn::Trace: every
// view and figure that draws the explorer then draws any layer of a trained model the same way.
#pragma once
#include <vector>

#include "engine/attention.hpp"
#include "engine/model/transformer.hpp"

namespace attn {

// acts: model_forward() with B = 1. tokens: the input's tokens (labels and spans). The trace's x
// is the layer's attention input (the LayerNorm of the stream, or the stream itself without
// LayerNorms), out the attention sublayer's
// output before the residual; q and k are after RoPE when chosen. Throws std::invalid_argument
// for a layer out of range or a batch of more than one sequence.
Trace layer_trace(const Model& model, const Activations& acts, int layer, const std::vector<Token>& tokens);

}  // namespace attn
