// A small modal for choosing a file or folder path (ImGui has no file dialog): a path field, the
// folder's entries to click, and an error line when the path does not work.
#pragma once
#include <optional>
#include <string>

namespace app::gui {

struct PathPrompt {
  enum class Kind {
    OpenSession,
    SaveSession,
    ExportFolder,
    OpenModel,
    SaveModel,
    SaveHfFolder,
    TextFile
  } kind = Kind::OpenSession;
  bool open = false;  // set to true to show it
  std::string path;   // edited by the person
  std::string error;  // shown under the field, set by whoever used the answer
};

// Draws the prompt if open; returns the chosen path when the person confirms.
std::optional<std::string> draw_path_prompt(PathPrompt& prompt);

}  // namespace app::gui
