// The trainable transformer's configuration, split by role: what shapes the parameters (Arch),
// what changes the computation but owns no parameter (RunOptions), and how it learns
// (TrainSettings, below). Whether two models can share weights is then
// "their Arch is equal", not a list of fields kept by hand.
#pragma once
#include <cstdint>
#include <string>

#include "engine/config.hpp"

namespace attn {

// What `train`, Train mode and checkpoints accept (validate(Arch, RunOptions)); the file limits in
// engine/file_limits.hpp are derived from these.
// Room for a small GPT trained on English (12 layers, d_model 1024, 32 heads, a 65,536-token
// vocabulary, 1,024 positions); the window's sliders keep smaller, teaching-sized ranges.
inline constexpr int kMaxLayers = 12;
inline constexpr int kMaxTrainHeads = 32;
inline constexpr int kMinTrainDModel = 8, kMaxTrainDModel = 1024;
inline constexpr int kMaxTrainDHead = 256;
inline constexpr int kMaxVocab = 65536;
inline constexpr int kMaxSeqLen = 1024;

// What the forward runs (validate_model): every GPT-2 size up to medium with room to spare
// (GPT-2 small is 12 layers, d_model 768, 12 heads; medium 24, 1024, 16; vocabulary 50257,
// context 1024). An imported model is read within these.
inline constexpr int kMaxModelLayers = 48;
inline constexpr int kMaxModelDModel = 2048;
inline constexpr int kMaxModelHeads = 64;
inline constexpr int kMaxModelDHead = 256;
inline constexpr int kMaxModelMlp = 4 * kMaxModelDModel;
inline constexpr int kMaxModelVocab = 262144;
inline constexpr int kMaxModelSeqLen = 4096;

// The MLP's activation: PyTorch's exact GELU x * Phi(x), or GPT-2's tanh approximation
// ("gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
enum class Gelu { Exact, Tanh };
const char* to_string(Gelu gelu);

struct Arch {
  int n_layers = 2;
  int d_model = 64;
  int n_heads = 4;
  int d_head = 16;   // resolved: never 0 here (n_heads * d_head need not equal d_model)
  bool mlp = false;  // false: attention-only blocks
  int vocab_size = 64;
  int max_seq_len = 64;            // rows of the learned position table; the longest input
                                   // (0 with token_embedding off: no limit)
  bool learned_positions = false;  // a pos_emb table is a parameter only with learned positions
  int d_mlp = 0;                   // the MLP's hidden width (GPT-2's n_inner); 0 means 4 * d_model
  Gelu gelu = Gelu::Exact;         // the MLP's activation
  bool tied_embeddings = false;    // true: no unembed tensor, logits = ln_f · tok_emb^T (GPT-2)
  double ln_eps = 1e-5;            // every LayerNorm's epsilon (GPT-2's layer_norm_epsilon)
  // The explorer's switches (engine/attention.hpp): one attention layer whose numbers are exactly
  // nn.MultiheadAttention's. validate() refuses them off: a model that trains or loads from a
  // file has all three.
  bool layer_norm = true;       // false: no ln1, ln2, ln_f; each sublayer reads the stream itself
  bool token_embedding = true;  // false: no tok_emb (nor pos_emb); model_forward_stream takes the
                                // stream entering block 0, additive positions already in it
  bool unembedding = true;      // false: no ln_f, unembed or logits; the model ends at the last
                                // block's stream

  int inner_dim() const { return n_heads * d_head; }
  int mlp_dim() const { return d_mlp > 0 ? d_mlp : 4 * d_model; }
  bool operator==(const Arch& o) const;
  bool operator!=(const Arch& o) const { return !(*this == o); }
};

struct RunOptions {
  bool causal = true;
  Positional positional = Positional::Learned;  // must agree with Arch::learned_positions
  float temperature = 1.0f;                     // scores are divided by sqrt(d_head) * temperature
};

// How a model learns: AdamW with warm-up and gradient clipping, on batches of a task.
struct TrainSettings {
  float lr = 3e-3f;            // peak learning rate, reached after warmup_steps
  int batch = 32;              // sequences per step
  int seq_len = 32;            // tokens per sequence
  int steps = 600;             // target step count
  std::uint64_t seed = 1;      // initial weights and the task's batches
  float weight_decay = 0.01f;  // on matrices only
  float beta1 = 0.9f, beta2 = 0.99f, eps = 1e-8f;
  float grad_clip = 1.0f;  // the global gradient norm is scaled down to this
  int warmup_steps = 10;   // lr_t = lr * min(1, t / warmup_steps) for update t = 1, 2, ...
};

// A model `train` can train and a checkpoint can hold. Throws std::invalid_argument naming the
// numbers, e.g. "layers (5) must be between 1 and 4".
void validate(const Arch& arch, const RunOptions& run);
// A model the forward can run (the kMaxModel* limits: an imported GPT-2). Throws the same way.
void validate_model(const Arch& arch, const RunOptions& run);
void validate(const TrainSettings& train);

}  // namespace attn
