// The trainer owns a model, its gradients, AdamW's state, the task and every buffer; step() is
// plain single-threaded code that allocates nothing after the first call. Same seed, task and
// settings give a bit-identical run (one BLAS thread).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/model/checkpoint.hpp"
#include "engine/model/transformer.hpp"
#include "engine/train/adamw.hpp"
#include "engine/train/detectors.hpp"
#include "engine/train/tasks.hpp"

namespace attn {

inline constexpr int kEvalSequences = 64;

struct StepResult {
  long long step = 0;      // updates done, this one included
  float loss = 0.0f;       // on this step's batch, before the update
  double grad_norm = 0.0;  // before clipping
  float lr = 0.0f;
  bool diverged = false;  // the loss or the gradients were not finite: no update was made and
                          // the parameters are the last ones that gave a finite loss
};

struct Evaluation {
  long long step = 0;
  float loss = 0.0f;      // on the held-out batch
  float accuracy = 0.0f;  // share of counted positions whose most likely token is the target
  // The loss in bits per byte of the counted targets' text (comparable across tokenizers); 0
  // for tasks whose tokens have no bytes (the word-level tasks).
  double bits_per_byte = 0.0;
  DetectorScores detectors;
};

// The bytes a Trainer holds once it has made a step and an evaluation, by role: the same sizes
// its buffers are given (a test compares each part with Trainer::memory_held()). What is not
// here: the program itself, BLAS's work buffers and the copies a caller keeps (snapshots).
struct TrainingMemory {
  std::size_t parameters = 0;   // params, the last good copy, gradients, AdamW's m and v: 5 x (layout.total)
  std::size_t activations = 0;  // the forward of one training batch (batch x seq_len)
  std::size_t backward = 0;     // the backward's buffers for that batch
  std::size_t evaluation = 0;   // the forward of the held-out batch (kEvalSequences x seq_len)
  std::size_t batches = 0;      // token ids, targets and detector cells of both batches (an upper bound)
  std::size_t total() const { return parameters + activations + backward + evaluation + batches; }
};

// What training `arch` with `run` and `settings` needs, computed without allocating it. arch as
// the Trainer makes it (vocab_size and max_seq_len from the task); no validation, no throw.
TrainingMemory training_memory(const Arch& arch, const RunOptions& run, const TrainSettings& settings);

// The model a new Trainer(arch, run, settings, task) makes: vocab_size from the task, max_seq_len
// = settings.seq_len, a learned position table with learned positions.
Arch trained_arch(Arch arch, const RunOptions& run, const TrainSettings& settings, const Task& task);

// Bytes for people, three digits: "812 KiB", "68.4 MiB", "9.10 GiB" (binary units, as
// /proc/meminfo counts).
std::string bytes_text(std::uint64_t bytes);

// The task a checkpoint was trained on, ready to train it further: make_task(c.task), or for the
// text task a TextTask with the checkpoint's tokenizer on default_corpus(). Throws
// std::invalid_argument for a task this attnlab cannot train (or a text model without its
// tokenizer) and FileError for a default corpus that cannot be read.
std::unique_ptr<Task> make_task_for(const Checkpoint& checkpoint);

class Trainer {
 public:
  // A new model for `task`: arch.vocab_size and arch.max_seq_len are taken from the task and
  // settings.seq_len, arch.learned_positions from run. Throws std::invalid_argument.
  Trainer(Arch arch, const RunOptions& run, const TrainSettings& settings, std::unique_ptr<Task> task);
  // Continues training a checkpoint of a known task (AdamW's moments start again from zero).
  explicit Trainer(const Checkpoint& checkpoint);

  StepResult step();  // on a fresh batch of the task
  // One update on a given batch: ids and targets (settings().batch, settings().seq_len).
  StepResult step_on(const std::int32_t* ids, const std::int32_t* targets);
  Evaluation evaluate();  // on a held-out batch fixed at construction
  // The same for other parameters of this model's shape (an earlier step of the timeline), with
  // the current knock-outs; the model keeps its own. Throws std::invalid_argument for a size
  // that is not the model's.
  Evaluation evaluate_params(const std::vector<float>& params, long long step);

  // New run options and settings for the model as it is (parameters, AdamW moments and step
  // kept): learning rate, batch, target steps, warm-up, weight decay, temperature, mask, and
  // positions that need no table. Throws std::invalid_argument for a change that would need
  // new weights (sequence length, seed, a position table) or invalid values.
  void reconfigure(const RunOptions& run, const TrainSettings& settings);

  const Model& model() const { return m_model; }
  // Which heads are knocked out (layer * n_heads + head); takes effect from the next forward.
  void set_knocked_out(const std::vector<std::uint8_t>& knocked);
  const Task& task() const { return *m_task; }
  const TrainSettings& settings() const { return m_settings; }
  long long steps_done() const { return m_adam.t; }
  const std::vector<Sequence>& eval_sequences() const { return m_eval; }
  Checkpoint checkpoint() const;
  // The bytes its buffers hold now (capacity, by the parts of TrainingMemory).
  TrainingMemory memory_held() const;
  // Frees the training batch's activations and backward buffers, e.g. after a step ran out of
  // memory half-way through sizing them; the parameters stay, and the next step sizes them again.
  void release_step_buffers();

 private:
  void setup();
  void size_batch();  // the batch buffers for m_settings.batch x seq_len

  Model m_model;
  std::unique_ptr<Task> m_task;
  TrainSettings m_settings;
  std::vector<float> m_grads, m_last_good;
  AdamW m_adam;
  Activations m_acts, m_eval_acts;
  BackwardBuffers m_back;
  std::uint64_t m_rng = 0;
  std::vector<Sequence> m_batch, m_eval;
  std::vector<std::int32_t> m_ids, m_targets, m_eval_ids, m_eval_targets;
};

}  // namespace attn
