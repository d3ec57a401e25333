// Running a Hugging Face GPT-2 on token ids.
#include "core/hf_run.hpp"

#include <stdexcept>

#include "engine/text/bpe.hpp"

namespace app {

ModelRun run_hf_ids(const attn::HfGpt2& hf, const std::vector<std::int32_t>& ids, attn::LogitRows rows,
                    const std::uint8_t* knocked_out) {
  if (static_cast<long long>(ids.size()) > hf.model.arch.max_seq_len)  // named as config.json names it
    throw std::invalid_argument("the sentence has " + std::to_string(ids.size()) +
                                " tokens but this model takes at most " + std::to_string(hf.model.arch.max_seq_len) +
                                " (n_positions)");
  return run_token_ids(
      hf.model, ids,
      [&](std::int32_t id) {
        // run_token_ids checks the id against the model before asking for its bytes
        return attn::gpt2_token_bytes(hf.vocab[static_cast<std::size_t>(id)]);
      },
      rows, knocked_out);
}

std::vector<std::int32_t> hf_encode_text(const attn::HfGpt2& hf, const std::string& text) {
  const attn::Bpe bpe = attn::load_bpe(hf.folder);
  if (bpe.vocab_size() != static_cast<std::size_t>(hf.model.arch.vocab_size))
    throw std::invalid_argument("the tokenizer in " + hf.folder + " has " + std::to_string(bpe.vocab_size()) +
                                " tokens but the model's embedding has " + std::to_string(hf.model.arch.vocab_size));
  std::vector<std::int32_t> ids = bpe.encode(text);
  if (ids.empty()) throw std::invalid_argument("the text has no tokens");
  return ids;
}

std::string hf_caption(const attn::HfGpt2& hf, int layer) {
  const attn::Arch& a = hf.model.arch;
  const std::string dot = " \xC2\xB7 ";
  std::string name = hf.folder;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  name = name.substr(name.find_last_of('/') + 1);
  std::string s = "GPT-2 from " + name + dot + std::to_string(a.n_layers) + (a.n_layers == 1 ? " layer" : " layers") +
                  dot + std::to_string(a.n_heads) + (a.n_heads == 1 ? " head of " : " heads of ") +
                  std::to_string(a.d_head) + dot + "d_model " + std::to_string(a.d_model) + dot + "MLP " +
                  std::to_string(a.mlp_dim()) + ", GELU " + attn::to_string(a.gelu) + dot +
                  (a.tied_embeddings ? "tied embeddings" : "own unembedding") + dot + "learned positions" + dot +
                  "causal";
  return layer < 0 ? s : s + dot + "layer " + std::to_string(layer + 1);
}

}  // namespace app
