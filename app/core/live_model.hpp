// The model as the window sees it: recomputed only when a model input changed, and when an input
// is rejected the last good run stays (with the engine's message beside it).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "core/model_input.hpp"

namespace app {

class LiveModel {
 public:
  // Recomputes when `input` differs from the last input tried. Returns true when the run
  // changed. Never throws: a rejected input sets error() and keeps the previous run.
  bool update(const ModelInput& input);

  bool has_run() const { return m_run != nullptr; }
  const attn::SequenceRun& run() const { return *m_run; }
  // The same run, shared: what a background export keeps alive while the window recomputes.
  std::shared_ptr<const attn::SequenceRun> shared_run() const { return m_run; }
  const ModelInput& run_input() const { return m_run_input; }
  const std::string& error() const { return m_error; }       // empty when the last input was good
  std::uint64_t generation() const { return m_generation; }  // +1 per new run
  double last_compute_ms() const { return m_last_compute_ms; }
  int recompute_count() const { return m_recomputes; }
  // The weights of the run shown (for the step-through's output projection); null before one.
  const attn::MhaWeights* weights() const { return m_have_model ? &m_model.weights : nullptr; }

 private:
  // Weights depend only on these; typing in the text box reuses them.
  struct WeightsKey {
    int d_model = 0, n_heads = 0, d_head = 0;
    std::uint64_t seed = 0;
    std::string path;
    bool d_model_given = false;
    bool operator==(const WeightsKey& o) const {
      return d_model == o.d_model && n_heads == o.n_heads && d_head == o.d_head && seed == o.seed && path == o.path &&
             d_model_given == o.d_model_given;
    }
  };
  static WeightsKey key_of(const ModelInput& input);

  bool m_tried = false;
  ModelInput m_last_tried;
  ModelInput m_run_input;
  std::shared_ptr<const attn::SequenceRun> m_run;
  std::string m_error;
  std::uint64_t m_generation = 0;
  double m_last_compute_ms = 0.0;
  int m_recomputes = 0;
  bool m_have_model = false;
  WeightsKey m_model_key;
  ResolvedModel m_model;
  attn::Model m_explorer;  // explorer_model(m_model): its run options set from each input
};

}  // namespace app
