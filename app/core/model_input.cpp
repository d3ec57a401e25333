// Turning a ModelInput into weights and a trace, shared by every command and the window.
#include "core/model_input.hpp"

#include <cmath>
#include <stdexcept>

namespace app {

ResolvedModel resolve_model(const ModelInput& input) {
  ResolvedModel model{input.config, {}};
  if (input.weights_path.empty()) {
    model.weights = attn::init_weights(model.config);  // validates
    return model;
  }
  model.weights = attn::load_weights_npz(input.weights_path);
  if (!input.d_model_given) model.config.d_model = model.weights.d_model();
  const int heads = model.config.n_heads;
  if (model.config.d_head == 0 && heads > 0 && model.weights.inner_dim() != model.config.d_model &&
      model.weights.inner_dim() % heads == 0)
    model.config.d_head = model.weights.inner_dim() / heads;
  attn::validate(model.config);
  attn::check_weights(model.weights, model.config);
  return model;
}

attn::Trace compute_trace(const ModelInput& input, const ResolvedModel& model) {
  attn::Trace trace = attn::run(input.text, input.tokenizer, model.config, model.weights);
  // Finite weights can still overflow: the softmax would then spread rows evenly, a picture that
  // nothing computed. Say so instead.
  for (float s : trace.scores)
    if (!std::isfinite(s))
      throw std::invalid_argument("the weights are so large that the attention scores overflow (not finite numbers): "
                                  "there is no true picture to draw; scale the weights down");
  return trace;
}

}  // namespace app
