// A forward over one sequence, kept for what the views draw: the model's shape and run options,
// the tokens as the views label them, and the activations. The explorer's run and a trained or
// opened model's run are this one type; a LayerView reads one block of it in place, so no view,
// figure or export copies a layer.
#pragma once
#include <cstddef>
#include <vector>

#include "engine/config.hpp"
#include "engine/model/transformer.hpp"
#include "engine/text/tokenizer.hpp"

namespace attn {

// One block of a SequenceRun, read where the forward left it. Shapes: n tokens, E = d_model,
// H heads, D = d_head, I = H * D; every pointer is C order and lives as long as the run.
class LayerView {
 public:
  LayerView(const ModelConfig& config, const Arch& arch, const Tokenization& tokenization, const Activations& acts,
            int layer);

  ModelConfig config;  // the model's shape and run options, d_head resolved (never 0)

  int layer() const { return m_layer; }
  std::size_t n_tokens() const { return m_n; }
  const Arch& arch() const { return *m_arch; }  // the whole model's (what the tensor catalog reads)
  const Tokenization& tokenization() const { return *m_tokenization; }
  const std::vector<Token>& tokens() const { return m_tokenization->tokens; }
  const Activations& activations() const { return *m_acts; }

  // The attention's input row (E): the stream's LayerNorm, or the stream itself without LayerNorms.
  const float* x(std::size_t row) const { return m_x + row * m_E; }
  float x(std::size_t row, std::size_t e) const { return x(row)[e]; }
  // All heads' q | k | v of a row side by side (3I), q and k after RoPE when chosen.
  const float* qkv(std::size_t row) const { return m_L->qkv.data() + row * 3 * m_I; }
  // One head's q, k, v of a row (D).
  const float* q(std::size_t head, std::size_t row) const { return qkv(row) + head * m_D; }
  const float* k(std::size_t head, std::size_t row) const { return qkv(row) + m_I + head * m_D; }
  const float* v(std::size_t head, std::size_t row) const { return qkv(row) + 2 * m_I + head * m_D; }
  float q(std::size_t head, std::size_t row, std::size_t d) const { return q(head, row)[d]; }
  float k(std::size_t head, std::size_t row, std::size_t d) const { return k(head, row)[d]; }
  float v(std::size_t head, std::size_t row, std::size_t d) const { return v(head, row)[d]; }
  // One head's (n, n) scores q k^T / (sqrt(D) * temperature) before the mask, and its attention
  // weights (softmax over keys; masked keys exactly 0, rows sum to 1).
  const float* scores(std::size_t head) const { return m_L->scores.data() + head * m_n * m_n; }
  const float* attn(std::size_t head) const { return m_L->attn.data() + head * m_n * m_n; }
  float scores(std::size_t head, std::size_t query, std::size_t key) const { return scores(head)[query * m_n + key]; }
  float attn(std::size_t head, std::size_t query, std::size_t key) const { return attn(head)[query * m_n + key]; }
  // Every head's output of a row side by side (I), one head's (D), and the attention sublayer's
  // output before the residual (E).
  const float* concat(std::size_t row) const { return m_L->concat.data() + row * m_I; }
  float concat(std::size_t row, std::size_t c) const { return concat(row)[c]; }
  const float* head_out(std::size_t head, std::size_t row) const { return concat(row) + head * m_D; }
  float head_out(std::size_t head, std::size_t row, std::size_t d) const { return head_out(head, row)[d]; }
  const float* out(std::size_t row) const { return m_L->attn_out.data() + row * m_E; }
  float out(std::size_t row, std::size_t e) const { return out(row)[e]; }

 private:
  const Arch* m_arch;
  const Tokenization* m_tokenization;
  const Activations* m_acts;
  const LayerActivations* m_L;
  const float* m_x;
  int m_layer;
  std::size_t m_n, m_E, m_D, m_I;
};

struct SequenceRun {
  ModelConfig config;         // the model's shape and run options, d_head resolved (never 0)
  Arch arch;                  // the model's architecture (the explorer: its one-block model's)
  Tokenization tokenization;  // the tokens as the views label them (one per position)
  Activations acts;           // the forward, B = 1

  int n_layers() const { return static_cast<int>(acts.layers.size()); }
  std::size_t n_tokens() const { return static_cast<std::size_t>(acts.T); }
  const std::vector<Token>& tokens() const { return tokenization.tokens; }
  // Block `layer`, read in place. Throws std::invalid_argument for a layer out of range. Not on a
  // temporary run: the view would outlive what it reads.
  LayerView layer(int layer) const&;
  LayerView layer(int layer) const&& = delete;
};

// A model's shape and run options as a ModelConfig (what a SequenceRun of it carries).
ModelConfig view_config(const Model& model);

}  // namespace attn
