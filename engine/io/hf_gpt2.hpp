// A Hugging Face GPT-2 folder (config.json, model.safetensors or its shards with
// model.safetensors.index.json, vocab.json, merges.txt) read into the one transformer: GPT-2 is
// Arch with learned positions, a tanh GELU MLP of width n_inner, tied embeddings and its
// LayerNorm epsilon. Like nanoGPT's from_pretrained: the few weights stored transposed (Conv1D,
// (in, out)) are named, the mask buffers are skipped, and every key and shape is checked against
// the configuration.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/model/transformer.hpp"
#include "engine/text/bpe.hpp"

namespace attn {

struct HfGpt2 {
  Model model;                     // causal, learned positions, temperature 1
  std::vector<std::string> vocab;  // (vocab_size) vocab.json's token strings (byte-level) by id
  std::string folder;
};

// The model types a folder may hold, for messages ("gpt2").
inline constexpr const char* kHfModelTypes = "gpt2";

// True when `path` is a folder with a config.json (what --model takes as a Hugging Face model).
bool is_hf_folder(const std::string& path);

// Reads the folder. Throws FileError naming the file and the key or tensor for: a missing or
// unreadable file, config.json that is not JSON or has a missing, mistyped or out-of-range key
// (n_layer 0, n_embd not divisible by n_head, a model_type other than gpt2, an activation or
// attention variant the engine does not compute), any safetensors problem
// (engine/io/safetensors.hpp), a missing, extra or misshaped tensor (naming both shapes), a NaN
// or infinity, lm_head.weight differing from wte.weight when the config ties them, a shard index
// naming a file outside the folder, or vocab.json disagreeing with the embedding in size.
// Memory: the model's parameter arena is the only full copy (each file is mapped and its pages
// dropped as they are converted, then unmapped). `progress` (may be empty) hears the share of the
// weights converted, 0 to 1, after each tensor (a window's loading bar).
HfGpt2 load_hf_gpt2(const std::string& folder, const std::function<void(double)>& progress = {});

// Why GPT-2 cannot express `model` ("it has no MLP", ...), or "" when it can: learned positions,
// a causal mask, temperature 1, an MLP, n_heads * d_head = d_model; the GELU may be either
// (gelu_new or gelu), the head tied or not, the MLP any width.
std::string hf_gpt2_refusal(const Model& model);

// Writes `model` as a Hugging Face GPT-2 folder (created if missing): config.json,
// model.safetensors (F32, Hugging Face's names, Conv1D weights (in, out)), vocab.json (vocab[i]
// -> i) and merges.txt (no merges: the vocabulary is whole tokens). Each file is written
// atomically. Throws std::invalid_argument with hf_gpt2_refusal's reason, or for a vocabulary
// of the wrong size or with a repeated entry; FileError when it cannot write.
void save_hf_gpt2(const Model& model, const std::vector<std::string>& vocab, const std::string& folder);

// The same for a model that reads a byte-level BPE (the text task): vocab.json holds each token's
// bytes in GPT-2's byte-to-character form ("Ġthe") under its id and merges.txt every merge in rank
// order, so load_hf_gpt2 + load_bpe read back a tokenizer that gives the same ids for every text.
// Throws std::invalid_argument as above, for a tokenizer whose size is not the model's, or for
// two tokens of the same bytes (vocab.json's keys are unique); FileError when it cannot write.
void save_hf_gpt2(const Model& model, const Bpe& tokenizer, const std::string& folder);

// A token's bytes as a GPT-2 vocab.json entry (" the" -> "Ġthe"); gpt2_token_bytes (engine/text/bpe.hpp)
// undoes it.
std::string gpt2_vocab_entry(std::string_view bytes);

// The parts the fuzz target drives directly: config.json's text -> Arch (+ whether the head is
// tied), with `what` naming the file in messages. Throws FileError as load_hf_gpt2.
Arch hf_gpt2_arch_from_config(const std::string& config_json, const std::string& what);

}  // namespace attn
