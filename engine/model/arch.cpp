// Which transformer shapes and options are valid, with the numbers in every message.
#include "engine/model/arch.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace attn {

bool Arch::operator==(const Arch& o) const {
  return n_layers == o.n_layers && d_model == o.d_model && n_heads == o.n_heads && d_head == o.d_head &&
         mlp == o.mlp && vocab_size == o.vocab_size && max_seq_len == o.max_seq_len &&
         learned_positions == o.learned_positions;
}


void validate(const Arch& a, const RunOptions& run) {
  check_range("layers", a.n_layers, 1, kMaxLayers);
  check_range("d_model", a.d_model, kMinTrainDModel, kMaxTrainDModel);
  check_range("heads", a.n_heads, 1, kMaxTrainHeads);
  check_range("d_head", a.d_head, 1, kMaxTrainDHead);
  check_range("vocabulary size", a.vocab_size, 2, kMaxVocab);
  check_range("max_seq_len", a.max_seq_len, 1, kMaxSeqLen);
  if (a.learned_positions != (run.positional == Positional::Learned))
    throw std::invalid_argument(std::string("positions '") + std::string(to_string(run.positional)) +
                                "' do not match a model " + (a.learned_positions ? "with" : "without") +
                                " a learned position table");
  if (run.positional == Positional::Rope && a.d_head % 2 != 0)
    throw std::invalid_argument("rotary positions (rope) need an even d_head, got " + std::to_string(a.d_head));
  check_temperature(run.temperature);
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
