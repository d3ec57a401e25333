// The shortcut table and what each command does. The key handler, the help, the menus and --key
// read the rows here, so none of them can list a key the others do not know.
#include "gui/commands.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>

#include "gui/key_names.hpp"

namespace app::gui {

namespace {

using S = CommandScope;

const std::vector<CommandRow> kRows = {
    {Command::Help, GLFW_KEY_F1, 0, false, S::Everywhere, true, "this window: the keys of each mode and a short guide"},
    {Command::SwitchMode, GLFW_KEY_M, 0, true, S::Everywhere, true, "Explore / Train mode"},
    {Command::CycleHeadView, GLFW_KEY_L, 0, true, S::Everywhere, true,
     "heads show the weights, the raw scores (before softmax) or lines between the tokens"},
    {Command::Presentation, GLFW_KEY_F11, 0, false, S::Everywhere, true,
     "presentation mode: full screen, the controls fold into a drawer"},
    {Command::ControlsDrawer, GLFW_KEY_F10, 0, false, S::Everywhere, true,
     "the controls drawer, when the controls are folded away"},
    {Command::Screenshot, GLFW_KEY_F12, 0, false, S::Everywhere, true, "save a screenshot of the window"},
    {Command::SaveSession, GLFW_KEY_S, 0, true, S::Everywhere, true, "save a session (the sentence and every setting)"},
    {Command::OpenSession, GLFW_KEY_O, 0, true, S::Everywhere, true, "open a session"},
    {Command::ExportFigure, GLFW_KEY_E, 0, true, S::Everywhere, true,
     "export all heads as a PNG figure (Train mode: the model view; the overview or which heads matter when shown)"},
    {Command::LargerText, GLFW_KEY_EQUAL, GLFW_KEY_KP_ADD, true, S::Everywhere, true,
     "larger text and controls (up to 3\xC3\x97)"},
    {Command::SmallerText, GLFW_KEY_MINUS, GLFW_KEY_KP_SUBTRACT, true, S::Everywhere, true,
     "smaller text and controls"},
    {Command::MonitorScale, GLFW_KEY_0, 0, true, S::Everywhere, true, "text size back to the monitor's scale"},
    {Command::Theme, GLFW_KEY_T, 0, true, S::Everywhere, true, "dark / high-contrast light theme"},
    {Command::ColorRange, GLFW_KEY_R, 0, true, S::Everywhere, true,
     "each head its own color range / one 0-1 scale for all"},
    {Command::PreviousHeads, GLFW_KEY_PAGE_UP, 0, false, S::Everywhere, false,
     "the previous page of heads when they page; else the previous head (Q/K/V view)"},
    {Command::NextHeads, GLFW_KEY_PAGE_DOWN, 0, false, S::Everywhere, false,
     "the next page of heads when they page; else the next head (Q/K/V view)"},
    {Command::BackToGrid, GLFW_KEY_ESCAPE, 0, false, S::Everywhere, false, "from an enlarged head back to all heads"},
    {Command::Quit, GLFW_KEY_Q, 0, true, S::Everywhere, true,
     "quit (an export being written is finished first, or cancelled with Esc)"},
    {Command::TrainOrPause, GLFW_KEY_F5, 0, false, S::Train, false, "train / pause"},
    {Command::TrainStep, GLFW_KEY_F6, 0, false, S::Train, false, "one training step"},
    {Command::TimelineFirst, GLFW_KEY_HOME, 0, false, S::Train, false, "the timeline's first snapshot (step 0)"},
    {Command::TimelineLatest, GLFW_KEY_END, 0, false, S::Train, false, "follow training again: the newest snapshot"},
    {Command::StepPrevious, GLFW_KEY_LEFT, 0, false, S::StepThrough, false, "the previous step"},
    {Command::StepNext, GLFW_KEY_RIGHT, 0, false, S::StepThrough, false, "the next step"},
    {Command::StepScaling, GLFW_KEY_S, 0, false, S::StepThrough, false,
     "divide the scores by \xE2\x88\x9A"
     "d_head or not: see what the scaling does to the softmax"},
    {Command::StepAllSteps, GLFW_KEY_A, 0, false, S::StepThrough, false, "all eight steps at once / one at a time"},
    {Command::PreviousLayer, GLFW_KEY_LEFT_BRACKET, 0, false, S::OpenedModel, false, "the previous layer's heads"},
    {Command::NextLayer, GLFW_KEY_RIGHT_BRACKET, 0, false, S::OpenedModel, false, "the next layer's heads"},
    {Command::ModelOverview, GLFW_KEY_O, 0, false, S::OpenedModel, false, "every layer and head at once / one layer"},
    {Command::ContinueText, GLFW_KEY_N, 0, false, S::OpenedModel, false, "Continue: append the model's next token"},
    {Command::HeadsThatMatter, GLFW_KEY_I, 0, false, S::OpenedModel, false,
     "which heads matter for this sentence / the heads"},
};

bool scope_holds(CommandScope scope, const AppState& state) {
  switch (scope) {
    case CommandScope::Everywhere:
      return true;
    case CommandScope::Train:
      return state.mode == Mode::Train;
    case CommandScope::StepThrough:
      return state.step.open;
    case CommandScope::OpenedModel:
      return state.mode == Mode::Explore && !state.model_path.empty();
  }
  return false;
}

bool row_pressed(const CommandRow& row) {
  if (ImGui::GetIO().KeyCtrl != row.ctrl) return false;
  return ImGui::IsKeyPressed(row.key, false) || (row.alt_key != 0 && ImGui::IsKeyPressed(row.alt_key, false));
}

// The keys ImGui's keyboard navigation moves with; a command on one of them hides it from ImGui.
bool navigation_key(int key) {
  return key == GLFW_KEY_LEFT || key == GLFW_KEY_RIGHT || key == GLFW_KEY_UP || key == GLFW_KEY_DOWN ||
         key == GLFW_KEY_PAGE_UP || key == GLFW_KEY_PAGE_DOWN || key == GLFW_KEY_HOME || key == GLFW_KEY_END;
}

}  // namespace

const std::vector<CommandRow>& command_table() { return kRows; }

const CommandRow& command_row(Command command) {
  const auto it = std::find_if(kRows.begin(), kRows.end(), [&](const CommandRow& r) { return r.command == command; });
  return it != kRows.end() ? *it : kRows.front();  // every Command has a row (a test checks)
}

std::string shortcut_text(const CommandRow& row) { return (row.ctrl ? "Ctrl+" : "") + key_shown(row.key); }
std::string shortcut_text(Command command) { return shortcut_text(command_row(command)); }

bool command_applies(const CommandRow& row, const AppState& state, bool typing) {
  return scope_holds(row.scope, state) && (row.while_typing || !typing);
}

bool command_pressed(Command command, const AppState& state) {
  const CommandRow& row = command_row(command);
  return command_applies(row, state, ImGui::GetIO().WantTextInput) && row_pressed(row);
}

void run_command(Command command, CommandTarget& t) {
  AppState& s = t.state;
  switch (command) {
    case Command::Help:
      s.show_help = !s.show_help;
      break;
    case Command::SwitchMode:
      s.mode = s.mode == Mode::Train ? Mode::Explore : Mode::Train;
      break;
    case Command::CycleHeadView:
      s.view.head_view = s.view.head_view == HeadView::Weights  ? HeadView::Scores
                         : s.view.head_view == HeadView::Scores ? HeadView::Lines
                                                                : HeadView::Weights;
      break;
    case Command::Presentation:
      t.requests.toggle_fullscreen = true;
      break;
    case Command::ControlsDrawer:
      s.controls_open = !s.controls_open;
      break;
    case Command::Screenshot:
      t.requests.screenshot = true;
      break;
    case Command::SaveSession:
      t.requests.save_session = true;
      break;
    case Command::OpenSession:
      t.requests.open_session = true;
      break;
    case Command::ExportFigure:
      if (s.mode == Mode::Train)
        t.requests.train_export = TrainExport{TrainExport::What::ModelView, ExportFormat::Png};
      else
        t.requests.export_choice = ExportChoice{ExportKind::Grid, 0, ExportFormat::Png, 0, 0, shown_model_figure(s)};
      break;
    case Command::LargerText:
      s.view.ui_scale = std::min(kMaxUiScale, t.ui_scale + 0.25f);
      break;
    case Command::SmallerText:
      s.view.ui_scale = std::max(kMinUiScale, t.ui_scale - 0.25f);
      break;
    case Command::MonitorScale:
      s.view.ui_scale = 0.0f;
      break;
    case Command::Theme:
      s.view.theme = s.view.theme == Theme::Dark ? Theme::Light : Theme::Dark;
      break;
    case Command::ColorRange:
      s.view.range = s.view.range == RangeMode::PerHead ? RangeMode::Fixed01 : RangeMode::PerHead;
      break;
    // The head the Q/K/V view shows; a grid that pages also turns its page where it is drawn
    // (command_pressed), since only the grid knows how many heads a page holds.
    case Command::PreviousHeads:
      s.selected_head = std::max(0, s.selected_head - 1);
      break;
    case Command::NextHeads:
      s.selected_head += 1;
      break;  // clamped after the recompute
    case Command::BackToGrid:
      if (s.mode == Mode::Train)
        s.train.enlarged_layer = s.train.enlarged_head = -1;
      else
        s.enlarged_head = -1;
      break;
    case Command::Quit:
      t.requests.quit = true;
      break;
    case Command::TrainOrPause:
      t.train_commands.emplace_back(t.training ? TrainCommand::Kind::Pause : TrainCommand::Kind::Run);
      break;
    case Command::TrainStep:
      t.train_commands.emplace_back(TrainCommand::Kind::Step);
      break;
    case Command::TimelineFirst:
      s.train.follow_latest = false;
      s.train.timeline_position = 0.0;
      break;
    case Command::TimelineLatest:
      s.train.follow_latest = true;
      break;
    case Command::StepPrevious:
      s.step.step = std::max(1, s.step.step - 1);
      break;
    case Command::StepNext:
      s.step.step = std::min(8, s.step.step + 1);
      break;
    case Command::StepScaling:
      s.step.scale_by_sqrt_d = !s.step.scale_by_sqrt_d;
      break;
    case Command::StepAllSteps:
      s.step.all_steps = !s.step.all_steps;
      break;
    case Command::PreviousLayer:
      s.step.layer = s.model_layer = std::max(0, s.model_layer - 1);
      break;
    case Command::NextLayer:
      s.step.layer = s.model_layer += 1;
      break;  // clamped to the model's layers after
    case Command::ModelOverview:
      s.model_overview = !s.model_overview;
      s.model_importance = false;
      break;
    case Command::ContinueText:
      t.requests.continue_text = true;
      break;
    case Command::HeadsThatMatter:
      s.model_importance = !s.model_importance;
      s.model_overview = false;
      break;
  }
}

std::optional<ModelFigure> shown_model_figure(const AppState& state) {
  if (!scope_holds(CommandScope::OpenedModel, state)) return std::nullopt;
  if (state.model_overview) return ModelFigure::Overview;
  if (state.model_importance) return ModelFigure::Importance;
  return std::nullopt;
}

void handle_shortcuts(CommandTarget& target) {
  // Which rows apply is decided before any runs, so a key that switches the mode or closes the
  // step-through cannot also fire a row of the scope it opens.
  const bool typing = ImGui::GetIO().WantTextInput;
  std::vector<Command> fired;
  for (const CommandRow& row : kRows)
    if (command_applies(row, target.state, typing) && row_pressed(row)) fired.push_back(row.command);
  for (const Command c : fired) run_command(c, target);
}

NavKeyGuard::NavKeyGuard(const AppState& state, bool typing) {
  ImGuiIO& io = ImGui::GetIO();
  for (int slot = 0; slot < ImGuiKey_COUNT; ++slot) {
    const int key = io.KeyMap[slot];
    if (key < 0 || !navigation_key(key)) continue;
    const bool used = std::any_of(kRows.begin(), kRows.end(), [&](const CommandRow& r) {
      return (r.key == key || r.alt_key == key) && command_applies(r, state, typing);
    });
    if (!used) continue;
    m_hidden.emplace_back(slot, key);
    io.KeyMap[slot] = -1;
  }
}

NavKeyGuard::~NavKeyGuard() {
  ImGuiIO& io = ImGui::GetIO();
  for (const auto& [slot, key] : m_hidden) io.KeyMap[slot] = key;
}

}  // namespace app::gui
