// One training step: sample a batch, forward, loss, backward, clip, AdamW; a non-finite loss or
// gradient restores the last parameters that gave a finite loss instead of updating.
#include "engine/train/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/rng.hpp"
#include "engine/text/bpe.hpp"
#include "engine/train/text_task.hpp"

namespace attn {

namespace {

// Room for a sequence of T tokens: no sequence of the task is longer, so sampling into it never
// allocates, and its memory is what training_memory counts.
void reserve_sequence(Sequence& seq, std::size_t T) {
  seq.ids.reserve(T);
  seq.targets.reserve(T);
  for (auto& cells : seq.cells) cells.reserve(T);
}

}  // namespace

Trainer::Trainer(Arch arch, const RunOptions& run, const TrainSettings& settings, std::unique_ptr<Task> task)
    : m_task(std::move(task)), m_settings(settings) {
  if (!m_task) throw std::invalid_argument("no task");
  validate(settings);
  if (settings.seq_len < m_task->min_seq_len())
    throw std::invalid_argument("the " + std::string(m_task->name()) + " task needs sequences of at least " +
                                std::to_string(m_task->min_seq_len()) + " tokens, got " +
                                std::to_string(settings.seq_len));
  m_model = Model::create(trained_arch(arch, run, settings, *m_task), run, settings.seed);
  setup();
}

std::unique_ptr<Task> make_task_for(const Checkpoint& c) {
  if (c.task == "text") {
    if (!c.tokenizer) throw std::invalid_argument("the text model has no tokenizer in its checkpoint");
    if (default_corpus().train_files.empty())
      throw std::invalid_argument("no corpus to train the text model on was named");
    return std::make_unique<TextTask>(*c.tokenizer, default_corpus());
  }
  std::unique_ptr<Task> task = make_task(c.task);
  if (!task) throw std::invalid_argument("the checkpoint's task '" + c.task + "' cannot be trained here");
  return task;
}

Trainer::Trainer(const Checkpoint& c) : m_model(c.model), m_task(make_task_for(c)), m_settings(c.train) {
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
  m_eval.assign(static_cast<std::size_t>(kEvalSequences), Sequence{});
  for (Sequence& seq : m_eval) {
    reserve_sequence(seq, T);  // as the training batch: its memory is known before it is made
    m_task->sample(eval_rng, m_settings.seq_len, true, seq);
  }
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
  for (Sequence& seq : m_batch) reserve_sequence(seq, T);
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
  double bytes = 0.0;
  for (std::size_t i = 0; i < m_eval_targets.size(); ++i) {
    if (m_eval_targets[i] < 0) continue;
    const float* row = m_eval_acts.logits.data() + i * static_cast<std::size_t>(V);
    const std::int32_t guess = static_cast<std::int32_t>(std::max_element(row, row + V) - row);
    ++counted;
    right += guess == m_eval_targets[i];
    bytes += static_cast<double>(m_task->token_bytes(m_eval_targets[i]));
  }
  e.accuracy = counted ? static_cast<float>(right) / static_cast<float>(counted) : 0.0f;
  // The mean loss in nats per token, times tokens over bytes, in bits.
  if (bytes > 0.0) e.bits_per_byte = static_cast<double>(e.loss) * counted / (bytes * 0.6931471805599453);
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

namespace {

// Per token of a sequence: its id, its target, and a cell per detector at most.
constexpr std::size_t kSequenceBytesPerToken = 2 * sizeof(std::int32_t) + kDetectorCount * sizeof(Cell);

template <typename T>
std::size_t held(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

std::size_t held(const std::vector<Sequence>& batch) {
  std::size_t n = 0;
  for (const Sequence& s : batch) {
    n += held(s.ids) + held(s.targets);
    for (const auto& cells : s.cells) n += held(cells);
  }
  return n;
}

}  // namespace

TrainingMemory training_memory(const Arch& arch, const RunOptions& run, const TrainSettings& settings) {
  const std::size_t P = ParamLayout::of(arch).total, B = static_cast<std::size_t>(settings.batch),
                    T = static_cast<std::size_t>(settings.seq_len), F = sizeof(float);
  TrainingMemory m;
  m.parameters = 5 * P * F;
  m.activations = activation_floats(arch, run, settings.batch, settings.seq_len) * F;
  m.backward = backward_floats(arch, settings.batch, settings.seq_len) * F;
  m.evaluation = activation_floats(arch, run, kEvalSequences, settings.seq_len) * F;
  const std::size_t sequences = B + static_cast<std::size_t>(kEvalSequences);
  // ids and targets packed for the forward, then each sequence's own.
  m.batches = sequences * T * 2 * sizeof(std::int32_t) + sequences * T * kSequenceBytesPerToken;
  return m;
}

Arch trained_arch(Arch arch, const RunOptions& run, const TrainSettings& settings, const Task& task) {
  arch.vocab_size = task.vocab().size();
  arch.max_seq_len = settings.seq_len;
  arch.learned_positions = run.positional == Positional::Learned;
  return arch;
}

std::string bytes_text(std::uint64_t bytes) {
  const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, v < 10.0 ? "%.2f %s" : v < 100.0 ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

TrainingMemory Trainer::memory_held() const {
  TrainingMemory m;
  m.parameters = held(m_model.params) + held(m_last_good) + held(m_grads) + held(m_adam.m) + held(m_adam.v);
  m.activations = m_acts.floats() * sizeof(float);
  m.backward = m_back.floats() * sizeof(float);
  m.evaluation = m_eval_acts.floats() * sizeof(float);
  m.batches = held(m_ids) + held(m_targets) + held(m_eval_ids) + held(m_eval_targets) + held(m_batch) + held(m_eval);
  return m;
}

void Trainer::release_step_buffers() {
  m_acts = Activations{};
  m_back = BackwardBuffers{};
}

Checkpoint Trainer::checkpoint() const {
  Checkpoint c;
  c.model = m_model;
  std::fill(c.model.knocked_out.begin(), c.model.knocked_out.end(), 0);
  c.task = std::string(m_task->name());
  c.vocab = m_task->vocab().words;
  if (const Bpe* bpe = m_task->tokenizer(); bpe && bpe->is_trained_format()) c.tokenizer = *bpe;
  c.train = m_settings;
  c.step = m_adam.t;
  return c;
}

}  // namespace attn
