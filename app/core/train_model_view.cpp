// Running the shown model on the example.
#include "core/train_model_view.hpp"

#include <algorithm>

namespace app {

ParamsAtStep shown_params(const TrainProgress& p, const TrainState& state) {
  if (state.follow_latest || p.timeline.empty()) return {p.step, p.params};
  const int i = timeline_index(p, state.timeline_position);
  return p.timeline[static_cast<std::size_t>(i)];
}

const CurvePoint* point_at(const TrainProgress& p, long long step) {
  const CurvePoint* best = nullptr;
  for (const auto& point : p.curve)
    if (point->step <= step) best = point.get();
  return best;
}

namespace {

bool any_knocked_out(const TrainState& state) {
  for (std::uint8_t k : state.knocked_out)
    if (k) return true;
  return false;
}

// The worker's re-evaluation answers this snapshot with these knock-outs.
bool answers(const TrainProgress& p, const ParamsAtStep& shown, const TrainState& state) {
  return p.shown_evaluation && p.shown_evaluation->params == shown.params &&
         p.shown_evaluation->knocked_out == state.knocked_out;
}

}  // namespace

const CurvePoint* shown_point(const TrainProgress& p, const TrainState& state) {
  const ParamsAtStep shown = shown_params(p, state);
  if (shown.step == p.step || !any_knocked_out(state)) return point_at(p, shown.step);
  return answers(p, shown, state) ? p.shown_evaluation->point.get() : nullptr;
}

const CurvePoint* intact_point(const TrainProgress& p, const TrainState& state) {
  if (!any_knocked_out(state)) return nullptr;
  const ParamsAtStep shown = shown_params(p, state);
  if (shown.step != p.step) return point_at(p, shown.step);
  return p.intact && p.intact->step == p.step ? p.intact.get() : nullptr;
}

ParamsAtStep shown_evaluation_needed(const TrainProgress& p, const TrainState& state) {
  const ParamsAtStep shown = shown_params(p, state);
  if (!shown.params || shown.step == p.step || !any_knocked_out(state) || answers(p, shown, state)) return {};
  return shown;
}

bool TrainModelView::update(const TrainProgress& progress, const TrainState& state) {
  if (!progress.model) return false;
  const ParamsAtStep shown = shown_params(progress, state);
  if (!shown.params) return false;
  if (shown.params.get() == m_params_key && progress.model_generation == m_model_generation &&
      state.example == m_text && state.knocked_out == m_knocked_out)
    return false;
  m_params_key = shown.params.get();
  m_model_generation = progress.model_generation;
  m_text = state.example;
  m_knocked_out = state.knocked_out;
  const attn::Checkpoint& ck = *progress.model;
  // The checkpoint's shape with the shown parameters: the one copy a shown change costs (the
  // checkpoint's own parameters, step 0's, are not copied).
  attn::Model model;
  model.arch = ck.model.arch;
  model.run = ck.model.run;
  model.layout = ck.model.layout;
  model.params = *shown.params;
  model.knocked_out = state.knocked_out.size() == ck.model.knocked_out.size() ? state.knocked_out : ck.model.knocked_out;
  try {
    ModelRun run = run_model(model, ck, state.example);
    std::optional<ModelRun> intact;
    if (any_knocked_out(state)) {
      const std::vector<std::uint8_t> none(model.knocked_out.size(), 0);  // every head in
      intact = run_model(model, ck, state.example, none.data());
    }
    m_run = std::make_shared<const ModelRun>(std::move(run));
    m_intact = std::move(intact);
    m_model = std::move(model);
    m_run_text = state.example;
    m_error.clear();
  } catch (const std::exception& e) {
    m_error = e.what();
    return false;
  }
  m_step = shown.step;
  ++m_generation;
  return true;
}

attn::OutProjection TrainModelView::out_projection(int layer) const {
  if (m_model.params.empty() || layer < 0 || layer >= m_model.arch.n_layers) return {};
  const attn::BlockParams<const float> b = m_model.weights().blocks[static_cast<std::size_t>(layer)];
  return {b.out_proj_w, b.out_proj_b};
}

}  // namespace app
