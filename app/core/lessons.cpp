// Where the lesson models are.
#include "core/lessons.hpp"

#include <cstdlib>

namespace app {

std::string lesson_models_dir() {
  const char* dir = std::getenv("ATTNLAB_DATA_DIR");
  if (dir && *dir) return std::string(dir) + "/models";
  return ATTN_SOURCE_DIR "/assets/models";
}

const std::vector<std::string>& lesson_names() {
  static const std::vector<std::string> names{"sentences", "induction", "reverse", "sort"};
  return names;
}

std::string lesson_path(const std::string& name) { return lesson_models_dir() + "/" + name + ".npz"; }

}  // namespace app
