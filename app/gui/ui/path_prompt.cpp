// Path prompt: listing the folder lets a teacher pick a prepared session without typing.
#include "gui/ui/path_prompt.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>
#include <vector>

namespace app::gui {

namespace {

const char* title_of(PathPrompt::Kind kind) {
  switch (kind) {
    case PathPrompt::Kind::SaveSession:
      return "Save session###path_prompt";
    case PathPrompt::Kind::ExportFolder:
      return "Export folder###path_prompt";
    case PathPrompt::Kind::OpenModel:
      return "Open model###path_prompt";
    case PathPrompt::Kind::SaveModel:
      return "Save model###path_prompt";
    case PathPrompt::Kind::SaveHfFolder:
      return "Save model as a Hugging Face folder###path_prompt";
    case PathPrompt::Kind::TextFile:
      return "Train on a text file###path_prompt";
    case PathPrompt::Kind::OpenSession:
      return "Open session###path_prompt";
  }
  return "Open session###path_prompt";  // not reached: every kind returns above
}

// Folder entries of the path's folder: sub-folders, and files with the extension asked for
// (sessions .json, checkpoints .npz), none when only folders are.
std::vector<std::filesystem::directory_entry> entries_near(const std::string& path, const char* extension) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir(path);
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  if (dir.empty()) dir = ".";
  std::vector<fs::directory_entry> out;
  for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    const bool is_dir = it->is_directory(ec);
    if (is_dir || (extension && it->path().extension() == extension)) out.push_back(*it);
    if (out.size() > 500) break;
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

}  // namespace

std::optional<std::string> draw_path_prompt(PathPrompt& prompt) {
  const char* title = title_of(prompt.kind);
  if (prompt.open && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  std::optional<std::string> chosen;
  const float em = ImGui::GetFontSize();
  // At most the screen, centred: at UI scale 2 on a 1024x768 projector 36 x 24 em is wider than it.
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowSize(
      ImVec2(std::min(em * 36.0f, viewport->WorkSize.x * 0.96f), std::min(em * 24.0f, viewport->WorkSize.y * 0.96f)),
      ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(title, &prompt.open)) return chosen;
  const bool folders_only =
      prompt.kind == PathPrompt::Kind::ExportFolder || prompt.kind == PathPrompt::Kind::SaveHfFolder;
  const bool model = prompt.kind == PathPrompt::Kind::OpenModel;
  const bool text = prompt.kind == PathPrompt::Kind::TextFile;
  if (model)
    ImGui::TextWrapped(
        "A checkpoint (.npz) opens in Train mode; a Hugging Face GPT-2 folder (config.json, "
        "model.safetensors, vocab.json, merges.txt) opens in Explore.");
  if (prompt.kind == PathPrompt::Kind::SaveHfFolder)
    ImGui::TextWrapped(
        "config.json, model.safetensors, vocab.json and merges.txt go into this folder (made if "
        "missing), as transformers' GPT2LMHeadModel and GPT-2's tokenizer read them.");
  if (text)
    ImGui::TextWrapped(
        "Any UTF-8 text file of at least a few pages: a BPE of 4096 tokens is learned on it first, "
        "its last 2%% is held out, and training reads it at random places.");
  ImGui::TextUnformatted(folders_only ? "Folder:" : model ? "File or folder:" : "File:");
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool entered = ImGui::InputText("##path", &prompt.path, ImGuiInputTextFlags_EnterReturnsTrue);
  if (!prompt.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(230, 60, 50, 255));
    ImGui::TextWrapped("%s", prompt.error.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::BeginChild("entries", ImVec2(0.0f, -ImGui::GetFrameHeightWithSpacing() * 1.3f), true);
  namespace fs = std::filesystem;
  if (ImGui::Selectable("..")) {
    fs::path p(prompt.path);
    std::error_code ec;
    prompt.path =
        (fs::is_directory(p, ec) ? p.lexically_normal().parent_path() : p.parent_path().parent_path()).string();
    if (prompt.path.empty()) prompt.path = "/";
  }
  const char* extension = folders_only                                          ? nullptr
                          : model || prompt.kind == PathPrompt::Kind::SaveModel ? ".npz"
                          : text                                                ? ".txt"
                                                                                : ".json";
  for (const auto& entry : entries_near(prompt.path, extension)) {
    std::error_code ec;
    const bool dir = entry.is_directory(ec);
    const std::string name = entry.path().filename().string() + (dir ? "/" : "");
    if (ImGui::Selectable(name.c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) {
      prompt.path = entry.path().string();
      if (!dir && ImGui::IsMouseDoubleClicked(0)) chosen = prompt.path;
    }
  }
  ImGui::EndChild();
  const bool saving = prompt.kind == PathPrompt::Kind::SaveSession || prompt.kind == PathPrompt::Kind::SaveModel ||
                      prompt.kind == PathPrompt::Kind::SaveHfFolder;
  const char* action = saving ? "Save" : prompt.kind == PathPrompt::Kind::ExportFolder ? "Use this folder" : "Open";
  if (ImGui::Button(action) || entered) chosen = prompt.path;
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    prompt.open = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
  return chosen;
}

}  // namespace app::gui
