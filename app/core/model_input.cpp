// Turning a ModelInput into weights and a run, shared by every command and the window.
#include "core/model_input.hpp"

#include "engine/finite_check.hpp"

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

attn::SequenceRun compute_run(const ModelInput& input, const ResolvedModel& model) {
  attn::SequenceRun run =
      attn::run(input.text, input.tokenizer, model.config, attn::explorer_model(model.config, model.weights));
  for (const attn::LayerActivations& layer : run.acts.layers)
    attn::require_finite_result(layer.scores.data(), layer.scores.size(), "attention scores");
  return run;
}

}  // namespace app
