// The lesson models shipped in assets/models: a trained checkpoint per task, opened from the
// Lessons menu, by `--lesson NAME`, and on the first start (sentences).
#pragma once
#include <string>
#include <vector>

namespace app {

// The folder holding the lesson models: $ATTNLAB_DATA_DIR/models when set, else the source
// tree's assets/models (the build tree runs from there).
std::string lesson_models_dir();
// "sentences", "induction", "reverse", "sort": the order of the Lessons menu.
const std::vector<std::string>& lesson_names();
std::string lesson_path(const std::string& name);

}  // namespace app
