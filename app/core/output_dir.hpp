// Making sure an output folder exists before anything is written into it.
#pragma once
#include <string>

namespace app {

// Creates dir and its parents when missing (like mkdir -p). Throws attn::FileError naming the
// folder and the reason when it cannot, or when the path is not a folder.
void ensure_directory(const std::string& dir);

}  // namespace app
