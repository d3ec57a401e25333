// The model flags every command shares (dump, export, bench-ui, and the window itself).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "core/model_input.hpp"

namespace app::cli {

// If `flag` is a model flag, reads its value into input and returns true.
// Throws UsageError for a bad value.
bool parse_model_flag(const std::string& flag, ArgCursor& args, ModelInput& input);

// --lesson NAME (the window, dump and export): the lesson model's path in the data folder.
// Throws UsageError for a name that is not a lesson.
std::string lesson_flag_path(const std::string& name);

// --model CKPT.npz or --lesson NAME (dump, export): reads the checkpoint's path into model_path
// and returns true. Throws UsageError when a model was already named, so the two never mix.
bool parse_checkpoint_flag(const std::string& flag, ArgCursor& args, std::string& model_path);

// --ids 464,3290,...: a sentence as token ids (a Hugging Face model folder, whose tokenizer this
// attnlab does not run yet). Throws UsageError for anything but whole numbers in the largest
// vocabulary's range (the model checks its own), or more ids than any model's context.
std::vector<std::int32_t> parse_ids(const std::string& flag, const std::string& text);

// The help lines for those flags, indented two spaces.
extern const char* const kModelFlagsHelp;

}  // namespace app::cli
