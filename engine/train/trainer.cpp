// One training step: sample a batch, forward, loss, backward, clip, AdamW; a non-finite loss or
// gradient restores the last parameters that gave a finite loss instead of updating.
#include "engine/train/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/rng.hpp"

namespace attn {

Trainer::Trainer(Arch arch, const RunOptions& run, const TrainSettings& settings, std::unique_ptr<Task> task)
    : m_task(std::move(task)), m_settings(settings) {
  if (!m_task) throw std::invalid_argument("no task");
  validate(settings);
  if (settings.seq_len < m_task->min_seq_len())
    throw std::invalid_argument("the " + std::string(m_task->name()) + " task needs sequences of at least " +
                                std::to_string(m_task->min_seq_len()) + " tokens, got " +
                                std::to_string(settings.seq_len));
  arch.vocab_size = m_task->vocab().size();
  arch.max_seq_len = settings.seq_len;
  arch.learned_positions = run.positional == Positional::Learned;
  m_model = Model::create(arch, run, settings.seed);
  setup();
}

Trainer::Trainer(const Checkpoint& c) : m_model(c.model), m_task(make_task(c.task)), m_settings(c.train) {
  if (!m_task) throw std::invalid_argument("the checkpoint's task '" + c.task + "' cannot be trained here");
  if (c.vocab != m_task->vocab().words)
    throw std::invalid_argument("the checkpoint's vocabulary is not the " + c.task + " task's");
  m_settings.seq_len = std::min(m_settings.seq_len, c.model.arch.max_seq_len);
  if (m_settings.seq_len < m_task->min_seq_len())
    throw std::invalid_argument("the checkpoint's sequences are too short for the " + c.task + " task");
  setup();
  m_adam.t = c.step;
}

void Trainer::setup() {
  const std::size_t T = static_cast<std::size_t>(m_settings.seq_len);
  m_grads.assign(m_model.layout.total, 0.0f);
  m_last_good = m_model.params;
  m_adam.reset(m_model.layout.total);
  m_rng = detail::mix(m_settings.seed, 0xBA7C4E5ull);
  size_batch();
  // The held-out batch: its own seed, so it never coincides with a training batch.
  std::uint64_t eval_rng = detail::mix(m_settings.seed, 0xE7A1ull);
  m_eval.clear();
  for (int b = 0; b < kEvalSequences; ++b) m_eval.push_back(m_task->sample(eval_rng, m_settings.seq_len, true));
  m_eval_ids.assign(static_cast<std::size_t>(kEvalSequences) * T, 0);
  m_eval_targets.assign(m_eval_ids.size(), -1);
  pack_batch(m_eval, m_settings.seq_len, m_task->vocab().pad, m_eval_ids.data(), m_eval_targets.data());
}

void Trainer::reconfigure(const RunOptions& run, const TrainSettings& settings) {
  validate(m_model.arch, run);
  validate(settings);
  if (settings.seq_len != m_settings.seq_len || settings.seed != m_settings.seed)
    throw std::invalid_argument("a new sequence length or seed needs a new model");
  m_model.run = run;
  const bool new_batch = settings.batch != m_settings.batch;
  m_settings = settings;
  if (new_batch) size_batch();
}

void Trainer::size_batch() {
  const std::size_t B = static_cast<std::size_t>(m_settings.batch), T = static_cast<std::size_t>(m_settings.seq_len);
  // Sequences keep their storage from step to step; reserving the longest now means the training
  // loop never allocates, not even while the longest sequence is still to come.
  m_batch.resize(B);
  for (Sequence& seq : m_batch) {
    seq.ids.reserve(T);
    seq.targets.reserve(T);
    for (auto& cells : seq.cells) cells.reserve(T);
  }
  m_ids.assign(B * T, 0);
  m_targets.assign(B * T, -1);
}

void Trainer::set_knocked_out(const std::vector<std::uint8_t>& knocked) {
  if (knocked.size() != m_model.knocked_out.size())
    throw std::invalid_argument("knock-out list has " + std::to_string(knocked.size()) + " entries, the model " +
                                std::to_string(m_model.knocked_out.size()) + " heads");
  m_model.knocked_out = knocked;
}

StepResult Trainer::step() {
  for (Sequence& s : m_batch) m_task->sample(m_rng, m_settings.seq_len, false, s);
  pack_batch(m_batch, m_settings.seq_len, m_task->vocab().pad, m_ids.data(), m_targets.data());
  return step_on(m_ids.data(), m_targets.data());
}

StepResult Trainer::step_on(const std::int32_t* ids, const std::int32_t* targets) {
  const int B = m_settings.batch, T = m_settings.seq_len;
  StepResult r;
  model_forward(m_model, ids, B, T, m_acts);
  r.loss = model_loss(m_acts, targets, m_model.arch.vocab_size);
  if (std::isfinite(r.loss)) {
    std::fill(m_grads.begin(), m_grads.end(), 0.0f);
    model_backward(m_model, ids, targets, m_acts, m_back, m_grads.data());
    r.grad_norm = gradient_norm(m_grads.data(), m_grads.size());
  }
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) {
    // These parameters gave a non-finite loss: go back to the last ones that did not.
    m_model.params = m_last_good;
    r.diverged = true;
    r.step = m_adam.t;
    return r;
  }
  std::copy(m_model.params.begin(), m_model.params.end(), m_last_good.begin());
  adamw_update(m_model.layout, m_settings, r.grad_norm, m_model.params.data(), m_grads.data(), m_adam);
  r.step = m_adam.t;
  r.lr = learning_rate(m_settings, m_adam.t);
  return r;
}

Evaluation Trainer::evaluate() {
  Evaluation e;
  e.step = m_adam.t;
  const int B = kEvalSequences, T = m_settings.seq_len, V = m_model.arch.vocab_size;
  model_forward(m_model, m_eval_ids.data(), B, T, m_eval_acts);
  e.loss = model_loss(m_eval_acts, m_eval_targets.data(), V);
  int counted = 0, right = 0;
  for (std::size_t i = 0; i < m_eval_targets.size(); ++i) {
    if (m_eval_targets[i] < 0) continue;
    const float* row = m_eval_acts.logits.data() + i * static_cast<std::size_t>(V);
    const std::int32_t guess = static_cast<std::int32_t>(std::max_element(row, row + V) - row);
    ++counted;
    right += guess == m_eval_targets[i];
  }
  e.accuracy = counted ? static_cast<float>(right) / static_cast<float>(counted) : 0.0f;
  e.detectors = score_detectors(m_eval_acts, m_eval, m_task->detectors());
  return e;
}

Evaluation Trainer::evaluate_params(const std::vector<float>& params, long long step) {
  if (params.size() != m_model.params.size())
    throw std::invalid_argument("evaluate_params: " + std::to_string(params.size()) + " parameters, the model has " +
                                std::to_string(m_model.params.size()));
  // The held-out batch and its buffers are the trainer's, so the other parameters are swapped in
  // for the one forward and the model's own are put back, whatever happens.
  std::vector<float> own = params;
  m_model.params.swap(own);
  struct Restore {
    std::vector<float>& model;
    std::vector<float>& own;
    ~Restore() { model.swap(own); }
  } restore{m_model.params, own};
  Evaluation e = evaluate();
  e.step = step;
  return e;
}

Checkpoint Trainer::checkpoint() const {
  Checkpoint c;
  c.model = m_model;
  std::fill(c.model.knocked_out.begin(), c.model.knocked_out.end(), 0);
  c.task = std::string(m_task->name());
  c.vocab = m_task->vocab().words;
  c.train = m_settings;
  c.step = m_adam.t;
  return c;
}

}  // namespace attn
