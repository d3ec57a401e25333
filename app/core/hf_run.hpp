// A Hugging Face GPT-2 folder run on token ids, as the same ModelRun a checkpoint gives, so that
// dump, export and the views read it the same way. Shared by `attnlab dump/export/bench --model DIR`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model_run.hpp"
#include "engine/io/hf_gpt2.hpp"

namespace app {

// text -> ids with the folder's own byte-level BPE (vocab.json + merges.txt, engine/text/bpe).
// Throws FileError for tokenizer files that cannot be read, std::invalid_argument for an empty
// text or a tokenizer whose vocabulary is not the model's.
std::vector<std::int32_t> hf_encode_text(const attn::HfGpt2& hf, const std::string& text);

// ids (n) -> run_token_ids with each token's bytes from vocab.json (attn::gpt2_token_bytes).
// Throws as run_token_ids, naming n_positions for too many ids.
ModelRun run_hf_ids(const attn::HfGpt2& hf, const std::vector<std::int32_t>& ids,
                    attn::LogitRows rows = attn::LogitRows::All, const std::uint8_t* knocked_out = nullptr);

// "GPT-2 from gpt2-small · 12 layers · 12 heads of 64 · d_model 768 · MLP 3072, GELU tanh ·
// tied embeddings · learned positions · causal · layer 2"; layer < 0 leaves the layer out.
std::string hf_caption(const attn::HfGpt2& hf, int layer = -1);

}  // namespace app
