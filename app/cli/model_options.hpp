// The model flags every command shares (dump, export, bench-ui, and the window itself).
#pragma once
#include <string>

#include "cli/args.hpp"
#include "core/model_input.hpp"

namespace app::cli {

// If `flag` is a model flag, reads its value into input and returns true.
// Throws UsageError for a bad value.
bool parse_model_flag(const std::string& flag, ArgCursor& args, ModelInput& input);

// The help lines for those flags, indented two spaces.
extern const char* const kModelFlagsHelp;

}  // namespace app::cli
