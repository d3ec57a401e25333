// The model flags every command shares (dump, export, bench-ui, and the window itself).
#pragma once
#include <string>

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

// The help lines for those flags, indented two spaces.
extern const char* const kModelFlagsHelp;

}  // namespace app::cli
