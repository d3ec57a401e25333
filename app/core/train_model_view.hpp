// What Train mode's views draw: the model at the step the timeline shows, with the knocked-out
// heads, run on the example input (every layer read in place through run().layer(l)). Recomputed
// only when one of those changed, so a frame that changes nothing costs nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model_run.hpp"
#include "core/train_host.hpp"
#include "core/train_state.hpp"
#include "engine/explain.hpp"

namespace app {

class TrainModelView {
 public:
  // Returns true when the run changed. Never throws: an example the model cannot take sets
  // error() and keeps the last good run.
  bool update(const TrainProgress& progress, const TrainState& state);

  const ModelRun& run() const { return *m_run; }
  // The same run, shared: what a background export keeps alive while the view recomputes.
  std::shared_ptr<const ModelRun> shared_run() const { return m_run; }
  // The same example through the model with no head knocked out, for "before → after"; null
  // when no head is knocked out.
  const ModelRun* intact_run() const { return m_intact ? &*m_intact : nullptr; }
  long long shown_step() const { return m_step; }
  const std::string& error() const { return m_error; }
  const std::string& text() const { return m_run_text; }  // the example the run is of
  // Layer l's output projection in the shown parameters (for the step-through).
  attn::OutProjection out_projection(int layer) const;
  std::uint64_t generation() const { return m_generation; }

 private:
  const void* m_params_key = nullptr;  // the parameter vector shown (identity: they are immutable)
  std::uint64_t m_model_generation = 0;
  std::string m_text;
  std::vector<std::uint8_t> m_knocked_out;
  long long m_step = 0;
  std::shared_ptr<const ModelRun> m_run = std::make_shared<const ModelRun>();
  std::optional<ModelRun> m_intact;
  attn::Model m_model;  // the shown model (its parameters at shown_step())
  std::string m_error;
  std::string m_run_text;
  std::uint64_t m_generation = 0;
};

// The parameters and step the timeline position shows: the newest when following training.
ParamsAtStep shown_params(const TrainProgress& progress, const TrainState& state);
// The curve point at or before `step` (null when none).
const CurvePoint* point_at(const TrainProgress& progress, long long step);
// The loss, accuracy and detector scores the views show for the shown step. The curve holds what
// training measured; with heads knocked out at a step before the newest that is the intact
// model's, so the worker's re-evaluation of that step is used instead (null until it arrives).
const CurvePoint* shown_point(const TrainProgress& progress, const TrainState& state);
// With heads knocked out: the shown step with every head in, the "before" of the knock-out's
// "before -> after" (the newest step: the worker's intact evaluation; an earlier one: what
// training measured). Null when no head is knocked out, or until the worker has evaluated it.
const CurvePoint* intact_point(const TrainProgress& progress, const TrainState& state);
// The timeline snapshot the worker must re-evaluate with the knock-outs for shown_point (post
// TrainCommand::Kind::EvaluateShown), or one with null params when nothing is missing.
ParamsAtStep shown_evaluation_needed(const TrainProgress& progress, const TrainState& state);

}  // namespace app
