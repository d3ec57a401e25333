// The trainable transformer's configuration, split by role: what shapes the parameters (Arch),
// what changes the computation but owns no parameter (RunOptions), and how it learns
// (TrainSettings, in engine/train/adamw.hpp). Whether two models can share weights is then
// "their Arch is equal", not a list of fields kept by hand.
#pragma once
#include <cstdint>
#include <string>

#include "engine/config.hpp"

namespace attn {

inline constexpr int kMaxLayers = 4;
inline constexpr int kMaxTrainHeads = 16;
inline constexpr int kMinTrainDModel = 8, kMaxTrainDModel = 256;
inline constexpr int kMaxTrainDHead = 256;
inline constexpr int kMaxVocab = 4096;
inline constexpr int kMaxSeqLen = 256;

struct Arch {
  int n_layers = 2;
  int d_model = 64;
  int n_heads = 4;
  int d_head = 16;           // resolved: never 0 here (n_heads * d_head need not equal d_model)
  bool mlp = false;          // false: attention-only blocks
  int vocab_size = 64;
  int max_seq_len = 64;      // rows of the learned position table; the longest input
  bool learned_positions = false;  // a pos_emb table is a parameter only with learned positions

  int inner_dim() const { return n_heads * d_head; }
  bool operator==(const Arch& o) const;
  bool operator!=(const Arch& o) const { return !(*this == o); }
};

struct RunOptions {
  bool causal = true;
  Positional positional = Positional::Learned;  // must agree with Arch::learned_positions
  float temperature = 1.0f;                       // scores are divided by sqrt(d_head) * temperature
};

// How a model learns: AdamW with warm-up and gradient clipping, on batches of a task.
struct TrainSettings {
  float lr = 3e-3f;             // peak learning rate, reached after warmup_steps
  int batch = 32;               // sequences per step
  int seq_len = 32;             // tokens per sequence
  int steps = 600;              // target step count
  std::uint64_t seed = 1;       // initial weights and the task's batches
  float weight_decay = 0.01f;   // on matrices only
  float beta1 = 0.9f, beta2 = 0.99f, eps = 1e-8f;
  float grad_clip = 1.0f;       // the global gradient norm is scaled down to this
  int warmup_steps = 10;        // lr_t = lr * min(1, t / warmup_steps) for update t = 1, 2, ...
};

// Throws std::invalid_argument naming the numbers, e.g. "layers (5) must be between 1 and 4".
void validate(const Arch& arch, const RunOptions& run);
void validate(const TrainSettings& train);

}  // namespace attn
