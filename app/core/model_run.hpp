// A trained or opened model run on one text: the text in the model's vocabulary and a forward
// over it, kept as the explorer's run is (attn::SequenceRun), so every view reads any layer of
// it the same way. Shared by `attnlab dump/export --model`, the model host and Train mode.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/checkpoint.hpp"
#include "engine/model/sequence_run.hpp"
#include "engine/train/tasks.hpp"

namespace app {

// The run's tokens (tokens()) are as the model sees them: unknown words read "<unk>".
struct ModelRun : attn::SequenceRun {
  attn::Encoded input;  // ids, tokens as typed, unknown flags
};

// Throws std::invalid_argument for an empty text, one longer than the model takes, or weights so
// large that a score or logit overflows (engine/finite_check.hpp). `knocked_out` (n_layers *
// n_heads), when given, replaces the model's own knock-outs.
ModelRun run_model(const attn::Model& model, const attn::Vocab& vocab, bool lower_case, std::string_view text,
                   const std::uint8_t* knocked_out = nullptr);
// The same in the checkpoint's own tokens: its BPE when it carries one (the text task: the spans
// tile the text, spaces included, and nothing is unknown), else its task's words. `model` is the
// checkpoint's model or one of its shape (other parameters, knock-outs).
ModelRun run_model(const attn::Model& model, const attn::Checkpoint& checkpoint, std::string_view text,
                   const std::uint8_t* knocked_out = nullptr);

// Token ids (from any byte-level tokenizer) -> the forward (B = 1), each token labelled with
// token_bytes(id) (people read them through attn::token_text) and its span in the joined bytes.
// `rows`: attn::LogitRows::Last computes only the last position's logits (the others stay NaN
// until attn::model_logits fills them); `knocked_out` (n_layers * n_heads, or null): heads whose
// output is zeroed. Throws std::invalid_argument for no ids, an id outside the vocabulary, more
// ids than the model's context, or weights that overflow a score or logit.
ModelRun run_token_ids(const attn::Model& model, const std::vector<std::int32_t>& ids,
                       const std::function<std::string(std::int32_t)>& token_bytes,
                       attn::LogitRows rows = attn::LogitRows::All, const std::uint8_t* knocked_out = nullptr);

// The run's tokens joined: the text it read (what a figure of it shows as its sentence).
std::string run_text(const ModelRun& run);

// The vocabulary and case rule of a checkpoint: its task's (sentences are lower-cased).
bool lower_cases(const attn::Checkpoint& checkpoint);
// The checkpoint's task's example input; throws std::invalid_argument for a task this attnlab
// does not know (then the text must be given).
std::string example_text(const attn::Checkpoint& checkpoint);

// "trained on induction (600 steps) · 2 layers · 4 heads of 16 · d_model 64 · attention only ·
// learned positions · causal · layer 2": what a figure of a model's layer says under its title;
// layer < 0 leaves the layer out (figures of the whole model).
std::string model_caption(const attn::Checkpoint& checkpoint, int layer = -1);

// The mean next-token cross-entropy over every position of the run but the last, and the
// gradient of that loss for every parameter (layout.total). Runs the forward again.
float next_token_gradients(const attn::Model& model, ModelRun& run, std::vector<float>& grads);

}  // namespace app
