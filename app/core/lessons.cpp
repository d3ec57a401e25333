// Where the lesson models are.
#include "core/lessons.hpp"

#include <algorithm>

#include "core/data_dir.hpp"

namespace app {

std::string lesson_models_dir() { return data_dir().path + "/models"; }

const std::vector<std::string>& lesson_names() {
  static const std::vector<std::string> names{"sentences", "induction", "reverse", "sort", "english"};
  return names;
}

std::string lesson_names_text() {
  const auto& names = lesson_names();
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

bool is_lesson(const std::string& name) {
  const auto& names = lesson_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string lesson_path(const std::string& name) { return lesson_models_dir() + "/" + name + ".npz"; }

}  // namespace app
