// The lesson models shipped in assets/models (installed to share/attnlab/models): a trained
// checkpoint per task, opened from the Lessons menu, by `--lesson NAME`, and on the first start
// (sentences).
#pragma once
#include <string>
#include <vector>

namespace app {

// The folder holding the lesson models: data_dir()'s models/ (see core/data_dir.hpp for the order).
std::string lesson_models_dir();
// "sentences", "induction", "reverse", "sort", "english": the order of the Lessons menu.
const std::vector<std::string>& lesson_names();
// "sentences, induction, reverse, sort or english", for messages and help.
std::string lesson_names_text();
bool is_lesson(const std::string& name);
std::string lesson_path(const std::string& name);

}  // namespace app
