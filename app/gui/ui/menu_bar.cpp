// The main menu: files, exports, view and help. Items only set requests or view settings.
#include <imgui.h>

#include "core/lessons.hpp"
#include "gui/commands.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

void export_items(UiContext& ctx, ExportKind what, int head, bool figures, const char* prefix) {
  const auto item = [&](const char* format_name, ExportFormat format) {
    const std::string label = std::string(prefix) + " " + format_name;
    // Ctrl+E exports all heads as a PNG (unless an opened model's overview or map is shown): its menu item shows the
    // key.
    const std::string key = what == ExportKind::Grid && format == ExportFormat::Png && !shown_model_figure(ctx.state)
                                ? shortcut_text(Command::ExportFigure)
                                : "";
    if (ImGui::MenuItem(label.c_str(), key.empty() ? nullptr : key.c_str()))
      ctx.requests.export_choice = ExportChoice{what, head, format};
  };
  if (figures) {
    item("figure (PNG)", ExportFormat::Png);
    item("figure (SVG)", ExportFormat::Svg);
    item("figure (PDF)", ExportFormat::Pdf);
  }
  item("data (CSV)", ExportFormat::Csv);
  item("data (NPY)", ExportFormat::Npy);
}

// The end of both Export menus: the window screenshot and where files go.
void screenshot_and_folder_items(UiContext& ctx) {
  if (ImGui::MenuItem("Window screenshot (PNG)", shortcut_text(Command::Screenshot).c_str()))
    ctx.requests.screenshot = true;
  ImGui::Separator();
  ImGui::TextDisabled("Folder: %s", ctx.state.export_dir.c_str());
  if (ImGui::MenuItem("Change export folder…")) ctx.requests.choose_export_dir = true;
}

// A menu of the bar, its title recorded for --layout.
bool menu(UiContext& ctx, const char* label, bool enabled = true) {
  const bool open = ImGui::BeginMenu(label, enabled);
  record_item(ctx.layout, "menu", label);
  return open;
}

// The opened model's figures of every layer (and its predictions): a submenu each, PNG, SVG or PDF.
void model_figure_items(UiContext& ctx) {
  const std::optional<ModelFigure> shown = shown_model_figure(ctx.state);
  const auto items = [&](ModelFigure what, const char* title) {
    if (!ImGui::BeginMenu(title)) return;
    for (const ExportFormat format : {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf}) {
      const char* label = format == ExportFormat::Png   ? "figure (PNG)"
                          : format == ExportFormat::Svg ? "figure (SVG)"
                                                        : "figure (PDF)";
      // Ctrl+E exports the one on screen as a PNG: its item shows the key.
      const std::string key = shown == what && format == ExportFormat::Png ? shortcut_text(Command::ExportFigure) : "";
      if (ImGui::MenuItem(label, key.empty() ? nullptr : key.c_str()))
        ctx.requests.export_choice = ExportChoice{ExportKind::Grid, 0, format, 0, 0, what};
    }
    ImGui::EndMenu();
  };
  items(ModelFigure::Overview, "Model overview (every layer and head)");
  items(ModelFigure::Importance, "Which heads matter");
  items(ModelFigure::Predictions, "Predictions after the last token");
}

}  // namespace

void draw_menu_bar(UiContext& ctx, bool presentation) {
  if (!ImGui::BeginMainMenuBar()) return;
  AppState& s = ctx.state;
  if (menu(ctx, "File")) {
    if (ImGui::MenuItem("Open session…", shortcut_text(Command::OpenSession).c_str())) ctx.requests.open_session = true;
    if (ImGui::MenuItem("Save session…", shortcut_text(Command::SaveSession).c_str())) ctx.requests.save_session = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Open model…")) ctx.requests.open_model = true;
    if (ImGui::MenuItem("Back to random weights", nullptr, false, ctx.hosted != nullptr))
      ctx.requests.close_model = true;
    if (ImGui::MenuItem("Save model…", nullptr, false, s.mode == Mode::Train)) ctx.requests.save_model = true;
    if (ImGui::MenuItem("Save model as Hugging Face folder…", nullptr, false, s.mode == Mode::Train))
      ctx.requests.save_hf_folder = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Save screenshot", shortcut_text(Command::Screenshot).c_str())) ctx.requests.screenshot = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", shortcut_text(Command::Quit).c_str())) ctx.requests.quit = true;
    ImGui::EndMenu();
  }
  if (menu(ctx, "Lessons")) {
    ImGui::TextDisabled("Trained models (Train mode)");
    for (const std::string& name : lesson_names())
      if (ImGui::MenuItem(name.c_str())) ctx.requests.lesson = name;
    ImGui::EndMenu();
  }
  if (s.mode == Mode::Train && menu(ctx, "Export", ctx.shown != nullptr)) {
    const auto train_item = [&](const char* label, TrainExport::What what, ExportFormat format) {
      // Ctrl+E exports the model view as a PNG in Train mode: its menu item shows the key.
      const std::string key = what == TrainExport::What::ModelView && format == ExportFormat::Png
                                  ? shortcut_text(Command::ExportFigure)
                                  : "";
      if (ImGui::MenuItem(label, key.empty() ? nullptr : key.c_str()))
        ctx.requests.train_export = TrainExport{what, format};
    };
    train_item("Model view (every layer's heads): PNG", TrainExport::What::ModelView, ExportFormat::Png);
    train_item("Model view: SVG", TrainExport::What::ModelView, ExportFormat::Svg);
    train_item("Model view: PDF", TrainExport::What::ModelView, ExportFormat::Pdf);
    ImGui::Separator();
    train_item("Training curves: PNG", TrainExport::What::Curves, ExportFormat::Png);
    train_item("Training curves: SVG", TrainExport::What::Curves, ExportFormat::Svg);
    train_item("Training curves: PDF", TrainExport::What::Curves, ExportFormat::Pdf);
    ImGui::Separator();
    train_item("Training run as an animated GIF", TrainExport::What::Movie, ExportFormat::Png);
    ImGui::Separator();
    screenshot_and_folder_items(ctx);
    ImGui::EndMenu();
  }
  if (s.mode == Mode::Explore && menu(ctx, "Export", ctx.shown != nullptr)) {
    const int head = s.selected_head;
    export_items(ctx, ExportKind::Grid, head, true, "All heads:");
    ImGui::Separator();
    const std::string head_prefix = "Head " + std::to_string(head + 1) + ":";
    export_items(ctx, ExportKind::Head, head, true, head_prefix.c_str());
    ImGui::Separator();
    const std::string qkv_prefix = "Q/K/V of head " + std::to_string(head + 1) + ":";
    export_items(ctx, ExportKind::Qkv, head, true, qkv_prefix.c_str());
    ImGui::Separator();
    if (ImGui::MenuItem("All heads as lines: figure (PNG)"))
      ctx.requests.export_choice = ExportChoice{ExportKind::Lines, -1, ExportFormat::Png};
    if (ImGui::MenuItem("All heads as lines: figure (SVG)"))
      ctx.requests.export_choice = ExportChoice{ExportKind::Lines, -1, ExportFormat::Svg};
    if (ImGui::MenuItem("All heads as lines: figure (PDF)"))
      ctx.requests.export_choice = ExportChoice{ExportKind::Lines, -1, ExportFormat::Pdf};
    ImGui::Separator();
    if (ctx.hosted && ctx.hosted->model) {
      model_figure_items(ctx);
      ImGui::Separator();
    }
    screenshot_and_folder_items(ctx);
    ImGui::EndMenu();
  }
  if (menu(ctx, "View")) {
    bool train = s.mode == Mode::Train;
    if (ImGui::MenuItem("Train mode (else Explore)", shortcut_text(Command::SwitchMode).c_str(), &train))
      s.mode = train ? Mode::Train : Mode::Explore;
    ImGui::Separator();
    if (ImGui::MenuItem("Presentation mode (full screen, controls folded)",
                        shortcut_text(Command::Presentation).c_str(), presentation))
      ctx.requests.toggle_fullscreen = true;
    bool light = s.view.theme == Theme::Light;
    if (ImGui::MenuItem("High-contrast light theme", shortcut_text(Command::Theme).c_str(), &light))
      s.view.theme = light ? Theme::Light : Theme::Dark;
    if (ImGui::MenuItem("Larger text", shortcut_text(Command::LargerText).c_str()))
      s.view.ui_scale = std::min(kMaxUiScale, ctx.scale + 0.25f);
    if (ImGui::MenuItem("Smaller text", shortcut_text(Command::SmallerText).c_str()))
      s.view.ui_scale = std::max(kMinUiScale, ctx.scale - 0.25f);
    if (ImGui::MenuItem("The monitor's text size", shortcut_text(Command::MonitorScale).c_str()))
      s.view.ui_scale = 0.0f;
    ImGui::Separator();
    bool fixed = s.view.range == RangeMode::Fixed01;
    if (ImGui::MenuItem("Same 0-1 scale for all heads", shortcut_text(Command::ColorRange).c_str(), &fixed))
      s.view.range = fixed ? RangeMode::Fixed01 : RangeMode::PerHead;
    ImGui::MenuItem("Numbers in cells", nullptr, &s.view.show_values);
    ImGui::Separator();
    ImGui::TextDisabled("Heads show (%s)", shortcut_text(Command::CycleHeadView).c_str());
    if (ImGui::MenuItem("Weights (after softmax)", nullptr, s.view.head_view == HeadView::Weights))
      s.view.head_view = HeadView::Weights;
    if (ImGui::MenuItem("Raw scores (before softmax)", nullptr, s.view.head_view == HeadView::Scores))
      s.view.head_view = HeadView::Scores;
    if (ImGui::MenuItem("Lines between the tokens", nullptr, s.view.head_view == HeadView::Lines))
      s.view.head_view = HeadView::Lines;
    ImGui::Separator();
    ImGui::MenuItem("Q/K/V view", nullptr, &s.view.show_qkv);
    ImGui::EndMenu();
  }
  if (menu(ctx, "Help")) {
    if (ImGui::MenuItem("Keyboard shortcuts and guide", shortcut_text(Command::Help).c_str())) s.show_help = true;
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

}  // namespace app::gui
