// The one table of keyboard shortcuts: the key handler, the F1 help, the menus' shortcut hints and
// the key names of the test input (--key) all read it, so a new shortcut is one row.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/app_state.hpp"
#include "core/train_host.hpp"
#include "gui/key_names.hpp"
#include "gui/ui/ui_context.hpp"

namespace app::gui {

enum class Command {
  Help,
  SwitchMode,
  CycleHeadView,
  Presentation,
  ControlsDrawer,
  Screenshot,
  SaveSession,
  OpenSession,
  ExportFigure,
  LargerText,
  SmallerText,
  MonitorScale,
  Theme,
  ColorRange,
  PreviousHeads,
  NextHeads,
  BackToGrid,
  Quit,
  TrainOrPause,
  TrainStep,
  TimelineFirst,
  TimelineLatest,
  StepPrevious,
  StepNext,
  StepScaling,
  StepAllSteps,
  PreviousLayer,
  NextLayer,
  ModelOverview,
  ContinueText,
  HeadsThatMatter,
};

// Where a command works, and so which page of the help lists it: in both modes, in Train mode
// only, while the step-through of one query is open (either mode), or in Explore with a model
// opened from a Hugging Face folder.
enum class CommandScope { Everywhere, Train, StepThrough, OpenedModel };

struct CommandRow {
  Command command;
  int key;      // GLFW key code
  int alt_key;  // a second key doing the same (the keypad's + and -), or 0
  bool ctrl;    // Ctrl must be held (and must not be, when false)
  CommandScope scope;
  bool while_typing;  // also while a text box has the keyboard (F-keys and Ctrl+ keys: yes)
  const char* label;  // what the help says it does
};

// Every shortcut, in the order the help lists them.
const std::vector<CommandRow>& command_table();
const CommandRow& command_row(Command command);

// "Ctrl+S", "F5", "Page Down", "←": the row's key as people read it (the menus' hints, the help).
std::string shortcut_text(Command command);
std::string shortcut_text(const CommandRow& row);

// True when `row` applies now: its scope holds and, unless it works while typing, no text box
// has the keyboard.
bool command_applies(const CommandRow& row, const AppState& state, bool typing);
// The row's key (or its second key) was pressed this frame with the row's Ctrl state, and the row
// applies now. For panels that act on a command with what only they know (the grid's pages).
bool command_pressed(Command command, const AppState& state);

// The opened model's figure shown in place of one layer's heads (the overview or which heads
// matter): what Ctrl+E exports then. None in Train mode, with random weights, or with the heads.
std::optional<ModelFigure> shown_model_figure(const AppState& state);

// What a command changes: the state, this frame's requests and the trainer's queue.
struct CommandTarget {
  AppState& state;
  Requests& requests;
  std::vector<TrainCommand>& train_commands;
  bool training;   // the trainer is running (F5 pauses it)
  float ui_scale;  // the UI scale in use (Ctrl+= and Ctrl+- step from it)
};
void run_command(Command command, CommandTarget& target);

// Runs every command whose key was pressed this frame (after ImGui::NewFrame).
void handle_shortcuts(CommandTarget& target);

// Keys that commands use now and that ImGui's keyboard navigation would also take (arrows, Page
// Up/Down, Home/End): the app hides them from ImGui's NewFrame, so a shortcut never moves the
// navigation focus nor draws its frame. Call with the previous frame's "typing".
class NavKeyGuard {
 public:
  NavKeyGuard(const AppState& state, bool typing);  // before ImGui::NewFrame
  ~NavKeyGuard();                                   // after it: the key map as it was
  NavKeyGuard(const NavKeyGuard&) = delete;
  NavKeyGuard& operator=(const NavKeyGuard&) = delete;

 private:
  std::vector<std::pair<int, int>> m_hidden;  // (ImGuiKey_ slot, the GLFW key it held)
};

}  // namespace app::gui
