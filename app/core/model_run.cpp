// Running a checkpoint on a person's text.
#include "core/model_run.hpp"

#include <cstdio>
#include <stdexcept>

#include "engine/finite_check.hpp"
#include "engine/train/text_task.hpp"

namespace app {

namespace {

ModelRun run_encoded(const attn::Model& model, attn::Encoded input, attn::LogitRows rows = attn::LogitRows::All,
                     const std::uint8_t* knocked_out = nullptr) {
  ModelRun r;
  r.input = std::move(input);
  const int n = static_cast<int>(r.input.ids.size());
  if (n == 0) throw std::invalid_argument("the text has no tokens");
  if (n > model.arch.max_seq_len)
    throw std::invalid_argument("the text has " + std::to_string(n) + " tokens but this model takes at most " +
                                std::to_string(model.arch.max_seq_len));
  r.config = attn::view_config(model);
  r.arch = model.arch;
  r.tokenization.tokens = r.input.tokens;
  r.tokenization.total_tokens = r.input.tokens.size();
  for (std::size_t i = 0; i < r.input.tokens.size(); ++i)
    if (r.input.unknown[i]) r.tokenization.tokens[i].text = "<unk>";
  attn::ForwardOptions options;
  options.rows = rows;
  options.knocked_out = knocked_out;
  attn::model_forward(model, r.input.ids.data(), 1, n, r.acts, options);
  for (const attn::LayerActivations& layer : r.acts.layers)
    attn::require_finite_result(layer.scores.data(), layer.scores.size(), "attention scores");
  const std::size_t V = static_cast<std::size_t>(model.arch.vocab_size);
  const std::size_t first =
      rows == attn::LogitRows::All ? 0 : static_cast<std::size_t>(n - 1) * V;  // the rows computed
  attn::require_finite_result(r.acts.logits.data() + first, r.acts.logits.size() - first, "logits");
  return r;
}

}  // namespace

ModelRun run_model(const attn::Model& model, const attn::Vocab& vocab, bool lower_case, std::string_view text,
                   const std::uint8_t* knocked_out) {
  return run_encoded(model, attn::encode_text(vocab, text, lower_case), attn::LogitRows::All, knocked_out);
}

ModelRun run_model(const attn::Model& model, const attn::Checkpoint& ck, std::string_view text,
                   const std::uint8_t* knocked_out) {
  if (!ck.tokenizer) return run_model(model, attn::Vocab(ck.vocab), lower_cases(ck), text, knocked_out);
  return run_token_ids(
      model, ck.tokenizer->encode(text), [&](std::int32_t id) { return ck.tokenizer->token_bytes(id); },
      attn::LogitRows::All, knocked_out);
}

ModelRun run_token_ids(const attn::Model& model, const std::vector<std::int32_t>& ids,
                       const std::function<std::string(std::int32_t)>& token_bytes, attn::LogitRows rows,
                       const std::uint8_t* knocked_out) {
  attn::Encoded e;
  e.ids = ids;
  std::size_t at = 0;
  for (const std::int32_t id : e.ids) {
    if (id < 0 || id >= model.arch.vocab_size)
      throw std::invalid_argument("token id " + std::to_string(id) + " is outside the vocabulary of " +
                                  std::to_string(model.arch.vocab_size));
    attn::Token t;
    t.text = token_bytes(id);  // bytes; people see them through token_text()
    t.begin = at;
    t.end = at += t.text.size();
    t.id = id;
    e.tokens.push_back(std::move(t));
    e.unknown.push_back(false);
  }
  return run_encoded(model, std::move(e), rows, knocked_out);
}

std::string run_text(const ModelRun& run) {
  std::string s;
  for (const attn::Token& t : run.input.tokens) s += t.text;
  return s;
}

bool lower_cases(const attn::Checkpoint& checkpoint) { return attn::task_lower_cases(checkpoint.task); }

std::string example_text(const attn::Checkpoint& checkpoint) {
  if (checkpoint.task == "text") return attn::kTextTaskExample;
  const auto task = attn::make_task(checkpoint.task);
  if (!task) throw std::invalid_argument("the model's task '" + checkpoint.task + "' has no example: give --text");
  return task->example();
}

std::string model_caption(const attn::Checkpoint& c, int layer) {
  const attn::Arch& a = c.model.arch;
  const std::string dot = " \xC2\xB7 ";
  std::string s = "trained on " + c.task + " (" + std::to_string(c.step) + " steps)" + dot +
                  std::to_string(a.n_layers) + (a.n_layers == 1 ? " layer" : " layers") + dot +
                  std::to_string(a.n_heads) + (a.n_heads == 1 ? " head of " : " heads of ") + std::to_string(a.d_head) +
                  dot + "d_model " + std::to_string(a.d_model) + dot + (a.mlp ? "with MLPs" : "attention only") + dot +
                  std::string(attn::to_string(c.model.run.positional)) + " positions" + dot +
                  (c.model.run.causal ? "causal" : "bidirectional");
  // GPT-2's switches, only where a model uses them (the lesson models' captions stay as they were).
  if (a.mlp && (a.mlp_dim() != 4 * a.d_model || a.gelu != attn::Gelu::Exact))
    s += dot + "MLP " + std::to_string(a.mlp_dim()) + ", GELU " + attn::to_string(a.gelu);
  if (a.tied_embeddings) s += dot + "tied embeddings";
  if (c.model.run.temperature != 1.0f) {
    char t[32];
    std::snprintf(t, sizeof t, "%g", static_cast<double>(c.model.run.temperature));
    s += dot + "T " + t;
  }
  return layer < 0 ? s : s + dot + "layer " + std::to_string(layer + 1);
}

float next_token_gradients(const attn::Model& model, ModelRun& run, std::vector<float>& grads) {
  const std::vector<std::int32_t>& ids = run.input.ids;
  std::vector<std::int32_t> targets(ids.size(), -1);
  for (std::size_t t = 0; t + 1 < ids.size(); ++t) targets[t] = ids[t + 1];
  attn::model_forward(model, ids.data(), 1, static_cast<int>(ids.size()), run.acts);
  const float loss = attn::model_loss(run.acts, targets.data(), model.arch.vocab_size);
  grads.assign(model.layout.total, 0.0f);
  attn::BackwardBuffers buffers;
  attn::model_backward(model, ids.data(), targets.data(), run.acts, buffers, grads.data());
  return loss;
}

}  // namespace app
