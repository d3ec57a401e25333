// One rule for every model, the explorer's and trained ones alike: finite weights so large that
// an attention score or a logit overflows would draw a picture nothing computed (the softmax
// spreads a non-finite row evenly) or predictions from infinities. Such a result is refused.
#pragma once
#include <cstddef>

namespace attn {

// Throws std::invalid_argument when any of the n values is NaN or infinite, naming `what`
// ("attention scores", "logits"): "the weights are so large that the attention scores overflow
// (not finite numbers): there is no true picture to draw; scale the weights down".
void require_finite_result(const float* values, std::size_t n, const char* what);

}  // namespace attn
