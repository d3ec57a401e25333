// A trained model in one .npz: every parameter as float32 under its PyTorch state_dict name, and
// "attnlab.json" (a uint8 array of UTF-8 JSON) with the configuration, vocabulary, task and
// training settings. numpy.load plus tests/tiny_transformer.py load it in a few lines.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/model/transformer.hpp"
#include "engine/text/bpe.hpp"

namespace attn {

inline constexpr const char* kCheckpointMetaKey = "attnlab.json";

struct Checkpoint {
  Model model;
  std::string task;                // "induction", "reverse", "sort", "sentences" or "custom"
  std::vector<std::string> vocab;  // (vocab_size) token texts; id = index
  TrainSettings train;
  long long step = 0;  // updates the parameters have had
  // A trained byte-level BPE the model reads its ids from (attnlab.json's optional "tokenizer",
  // in BPE.json's format); absent for the word-level tasks and in checkpoints written before it.
  std::optional<Bpe> tokenizer;
};

// Throws FileError when it cannot write; written to a temporary name and renamed.
void save_checkpoint(const Checkpoint& checkpoint, const std::string& path);

// Throws FileError naming the path and the reason: not a checkpoint, truncated or corrupt archive,
// a missing, extra or misshaped tensor (naming it and both shapes), a non-finite value (naming
// the tensor), a vocabulary that does not fit the model, or settings out of range.
Checkpoint load_checkpoint(const std::string& path);
// The same from the archive's bytes already in memory; `what` (usually the path) names it in
// messages. The fuzz targets read from here.
Checkpoint checkpoint_from_npz_bytes(const std::string& archive, const std::string& what);

// The meta JSON alone, as written into the archive (the app shows it; tests compare it).
std::string checkpoint_meta_json(const Checkpoint& checkpoint);

}  // namespace attn
