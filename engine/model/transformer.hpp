// The tiny transformer: token embedding + positions -> L pre-LayerNorm blocks (attention with a
// residual, optionally LayerNorm + MLP with a residual) -> final LayerNorm -> unembedding (its own
// tensor or, tied, the token embedding). GPT-2 is this with Arch's switches set (tanh GELU, tied
// embeddings, learned positions); the explorer's attention layer is one block with the
// LayerNorms, the token embedding and the unembedding switched off. One forward keeps every intermediate the views
// draw; one backward fills the parameter gradients. Shapes: B sequences of T tokens (N = B*T rows), E = d_model, H
// heads of D, I = H*D, M = the MLP width (Arch::mlp_dim()), V vocab.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/model/arch.hpp"
#include "engine/model/params.hpp"

namespace attn {

// A model: what it is, how it runs, and its parameters.
struct Model {
  Arch arch;
  RunOptions run;
  ParamLayout layout;                     // ParamLayout::of(arch)
  std::vector<float> params;              // (layout.total)
  std::vector<std::uint8_t> knocked_out;  // (n_layers * n_heads), 1 = that head's output is zeroed

  // A model with seeded initial parameters. Throws std::invalid_argument for an invalid arch/run.
  static Model create(const Arch& arch, const RunOptions& run, std::uint64_t seed);
  ParamView<const float> weights() const { return view(layout, params.data()); }
};

// Every intermediate of one block, for a batch. Buffers are sized by Activations::resize and
// reused from step to step.
struct LayerActivations {
  std::vector<float> ln1;                 // (N, E) LayerNorm of the residual stream: the attention input
                                          // (empty without LayerNorms: the stream is the input)
  std::vector<float> ln1_mean, ln1_rstd;  // (N)
  std::vector<float> qkv;                 // (N, 3I) = ln1 · in_proj_weight^T + bias; q, k after RoPE
  std::vector<float> scores;              // (B, H, T, T) q k^T / (sqrt(D) * temperature), before the mask
  std::vector<float> attn;                // (B, H, T, T) softmax over keys; masked keys exactly 0
  std::vector<float> concat;              // (N, I) head outputs side by side (zeros for knocked-out heads)
  std::vector<float> attn_out;            // (N, E) = concat · out_proj.weight^T + bias
  std::vector<float> resid_mid;           // (N, E) residual stream after attention
  std::vector<float> ln2;                 // (N, E) MLP only, like the rest below (and LayerNorms)
  std::vector<float> ln2_mean, ln2_rstd;  // (N)
  std::vector<float> fc;                  // (N, M) before GELU
  std::vector<float> gelu;                // (N, M)
  std::vector<float> mlp_out;             // (N, E)
  std::vector<float> resid_out;           // (N, E) residual stream leaving the block (MLP only; else resid_mid)

  const std::vector<float>& stream_out() const { return resid_out.empty() ? resid_mid : resid_out; }
  std::size_t floats() const;  // every buffer's size added up
};

struct Activations {
  int B = 0, T = 0;
  std::vector<float> pos_table;  // (T, E) sinusoidal rows added to the embeddings; else empty
  std::vector<float> rope;       // (T, D/2, 2) rotary cos, sin; else empty
  std::vector<float> embed;      // (N, E) tok_emb[id] + positions: the stream entering block 0
  std::vector<LayerActivations> layers;
  std::vector<float> ln_f, ln_f_mean, ln_f_rstd;  // (N, E), (N), (N); with LayerNorms and the unembedding
  std::vector<float> logits;                      // (N, V); this and below: with the unembedding
  std::vector<float> probs;                       // (N, V) softmax of the logits (set by model_loss)
  std::vector<float> losses;                      // (N) cross-entropy per position, 0 where not counted
  float loss = 0.0f;                              // mean over counted positions

  // Sizes every buffer for (arch, run, B, T); keeps the storage when nothing changed.
  void resize(const Arch& arch, const RunOptions& run, int B, int T);
  std::size_t floats() const;  // every buffer's size added up (what resize allocated)
};

// The stream layer `layer` of a forward's attention read: its ln1, or without LayerNorms the
// stream entering the block. (N, E) rows.
const float* attention_input(const Activations& acts, int layer);

// The floats Activations::resize(arch, run, B, T) allocates, computed without allocating them,
// so a run can be refused before it asks for memory the machine does not have. A test checks it
// against floats() after resize for every kind of model.
std::size_t activation_floats(const Arch& arch, const RunOptions& run, int B, int T);

// Gradient buffers of the backward pass, reused across layers and steps.
struct BackwardBuffers {
  std::vector<float> d_stream;      // (N, E) gradient of the residual stream
  std::vector<float> d_ln;          // (N, E)
  std::vector<float> d_qkv;         // (N, 3I)
  std::vector<float> d_concat;      // (N, I)
  std::vector<float> d_fc, d_gelu;  // (N, M)
  std::vector<float> d_logits;      // (N, V)
  std::vector<float> d_attn;        // (T, T)
  std::vector<float> k_bias;        // (I) the key bias gradient kept aside (see model_backward)
  void resize(const Arch& arch, int B, int T);
  std::size_t floats() const;  // every buffer's size added up
};

// The floats BackwardBuffers::resize(arch, B, T) allocates, without allocating them.
std::size_t backward_floats(const Arch& arch, int B, int T);

// Which rows of the logits a forward computes: every position's, or only each sequence's last
// (the next-token answer; the unembedding is a third of GPT-2 small's forward at 32 tokens, so the
// window shows the attention sooner and fills the other rows with model_logits afterwards).
enum class LogitRows { All, Last };

// What a forward may do differently from the model's own settings, for looking at a model that
// is shared and immutable (the window's opened model).
struct ForwardOptions {
  LogitRows rows = LogitRows::All;
  // (n_layers * n_heads), 1 = that head's output zeroed; null: the model's own knocked_out.
  const std::uint8_t* knocked_out = nullptr;
  // Recompute only the blocks from this one on: acts must hold a forward of the same ids whose
  // blocks before it are wanted as they are (a knock-out in block l changes nothing before it).
  int from_layer = 0;
};

// ids (B, T), each in [0, V), T <= max_seq_len -> every activation. Throws std::invalid_argument
// for an id out of range, a T the model cannot take, a from_layer outside [0, n_layers] or a
// model without a token embedding. With
// LogitRows::Last the other rows of acts.logits are NaN until model_logits fills them.
void model_forward(const Model& model, const std::int32_t* ids, int B, int T, Activations& acts,
                   const ForwardOptions& options = {});

// The same from the stream entering block 0 instead of ids: stream (B*T, E), additive positions
// already in it (RoPE is still the model's: run.positional). The explorer's entry (its model has
// no token embedding); any model takes it. Throws std::invalid_argument like model_forward. B*T
// = 0 gives empty activations.
void model_forward_stream(const Model& model, const float* stream, int B, int T, Activations& acts,
                          const ForwardOptions& options = {});

// Fills every row of acts.logits from acts.ln_f (after a forward with LogitRows::Last). Throws
// std::invalid_argument for a model without an unembedding.
void model_logits(const Model& model, Activations& acts);

// Cross-entropy of acts.logits against targets (B, T) (< 0: not counted); sets probs, losses and
// loss, and returns the loss. Throws std::invalid_argument for a target >= V.
float model_loss(Activations& acts, const std::int32_t* targets, int vocab_size);

// grads (layout.total) += d loss / d params, after model_forward and model_loss on the same
// batch. Callers zero grads first. Throws std::invalid_argument for a model with one of Arch's
// explorer switches off (it does not train).
void model_backward(const Model& model, const std::int32_t* ids, const std::int32_t* targets, const Activations& acts,
                    BackwardBuffers& buffers, float* grads);

}  // namespace attn
