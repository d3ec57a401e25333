// Which transformer shapes and options are valid, with the numbers in every message.
#include "engine/model/arch.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace attn {

bool Arch::operator==(const Arch& o) const {
  return n_layers == o.n_layers && d_model == o.d_model && n_heads == o.n_heads && d_head == o.d_head && mlp == o.mlp &&
         vocab_size == o.vocab_size && max_seq_len == o.max_seq_len && learned_positions == o.learned_positions &&
         mlp_dim() == o.mlp_dim() && gelu == o.gelu && tied_embeddings == o.tied_embeddings && ln_eps == o.ln_eps &&
         layer_norm == o.layer_norm && token_embedding == o.token_embedding && unembedding == o.unembedding;
}

const char* to_string(Gelu gelu) {
  switch (gelu) {
    case Gelu::Exact:
      return "exact";
    case Gelu::Tanh:
      return "tanh";
  }
  return "?";
}

namespace {

struct Limits {
  int layers, d_model_min, d_model, heads, d_head, mlp, vocab, seq_len;
};

void check(const Arch& a, const RunOptions& run, const Limits& lim) {
  if (!a.layer_norm || !a.token_embedding || !a.unembedding)
    throw std::invalid_argument(
        "a model that trains or loads from a file has LayerNorms, a token embedding and an unembedding (only the "
        "explorer's attention layer goes without)");
  check_range("layers", a.n_layers, 1, lim.layers);
  check_range("d_model", a.d_model, lim.d_model_min, lim.d_model);
  check_range("heads", a.n_heads, 1, lim.heads);
  check_range("d_head", a.d_head, 1, lim.d_head);
  check_range("vocabulary size", a.vocab_size, 2, lim.vocab);
  check_range("max_seq_len", a.max_seq_len, 1, lim.seq_len);
  if (a.d_mlp != 0) check_range("MLP width", a.d_mlp, 1, lim.mlp);
  if (!(std::isfinite(a.ln_eps) && a.ln_eps >= 1e-12 && a.ln_eps <= 0.1))
    throw std::invalid_argument("LayerNorm epsilon (" + std::to_string(a.ln_eps) + ") must be between 1e-12 and 0.1");
  if (a.learned_positions != (run.positional == Positional::Learned))
    throw std::invalid_argument(std::string("positions '") + std::string(to_string(run.positional)) +
                                "' do not match a model " + (a.learned_positions ? "with" : "without") +
                                " a learned position table");
  if (run.positional == Positional::Rope && a.d_head % 2 != 0)
    throw std::invalid_argument("rotary positions (rope) need an even d_head, got " + std::to_string(a.d_head));
  check_temperature(run.temperature);
}

}  // namespace

void validate(const Arch& a, const RunOptions& run) {
  // The MLP of a trainable model is at most 4 * kMaxTrainDModel wide, so the file limits'
  // largest trained model (engine/file_limits.hpp) still bounds it.
  check(a, run,
        {kMaxLayers, kMinTrainDModel, kMaxTrainDModel, kMaxTrainHeads, kMaxTrainDHead, 4 * kMaxTrainDModel, kMaxVocab,
         kMaxSeqLen});
}

void validate_model(const Arch& a, const RunOptions& run) {
  check(a, run,
        {kMaxModelLayers, kMinTrainDModel, kMaxModelDModel, kMaxModelHeads, kMaxModelDHead, kMaxModelMlp,
         kMaxModelVocab, kMaxModelSeqLen});
}

namespace {
// A real number as people write it (1e+30, 0.003), not std::to_string's 31 digits.
std::string g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

void validate(const TrainSettings& t) {
  const auto positive = [](const char* name, double v) {
    if (!(std::isfinite(v) && v > 0.0))
      throw std::invalid_argument(std::string(name) + " (" + g(v) + ") must be a finite number > 0");
  };
  positive("learning rate", t.lr);
  if (t.lr > 1.0f) throw std::invalid_argument("learning rate (" + g(t.lr) + ") must be at most 1");
  check_range("batch", t.batch, 1, 1024);
  check_range("sequence length", t.seq_len, 2, kMaxSeqLen);
  check_range("steps", t.steps, 1, 10000000);
  check_range("warm-up steps", t.warmup_steps, 0, 1000000);
  if (!(std::isfinite(t.weight_decay) && t.weight_decay >= 0.0f && t.weight_decay < 1.0f))
    throw std::invalid_argument("weight decay (" + g(t.weight_decay) + ") must be in [0, 1)");
  if (!(t.beta1 >= 0.0f && t.beta1 < 1.0f && t.beta2 >= 0.0f && t.beta2 < 1.0f))
    throw std::invalid_argument("AdamW betas must be in [0, 1)");
  positive("AdamW eps", t.eps);
  positive("gradient clip", t.grad_clip);
}

}  // namespace attn
