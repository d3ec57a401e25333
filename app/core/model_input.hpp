// Everything that decides the explorer's run: the sentence, the tokenizer, the model config and the weights
// source. Shared by the command line and the window.
#pragma once
#include <string>

#include "engine/attention.hpp"
#include "engine/config.hpp"
#include "engine/weights.hpp"

namespace app {

struct ModelInput {
  std::string text;
  attn::TokenizerMode tokenizer = attn::TokenizerMode::Word;
  attn::ModelConfig config;
  std::string weights_path;    // empty: seeded Xavier init from config.seed
  bool d_model_given = false;  // with weights, an unset d_model is taken from the file

  bool operator==(const ModelInput& o) const {
    return text == o.text && tokenizer == o.tokenizer && config == o.config && weights_path == o.weights_path &&
           d_model_given == o.d_model_given;
  }
  bool operator!=(const ModelInput& o) const { return !(*this == o); }
};

// The sentence the window opens on: short, with a pronoun to resolve, so heads differ visibly.
inline constexpr const char* kExampleSentence = "The cat sat on the mat because it was warm.";

// Loaded weights fix d_model (and d_head when they disagree with d_model / n_heads) unless the
// person set d_model. Throws attn::FileError for an unreadable file and std::invalid_argument
// when the weights do not fit the config, naming the shapes.
struct ResolvedModel {
  attn::ModelConfig config;
  attn::MhaWeights weights;
};
ResolvedModel resolve_model(const ModelInput& input);

// The whole pipeline for one input: resolve_model() then attn::run() of
// attn::explorer_model(model.config, model.weights). Throws std::invalid_argument when a score
// overflows (engine/finite_check.hpp).
attn::SequenceRun compute_run(const ModelInput& input, const ResolvedModel& model);

}  // namespace app
