// What a frame builds: the menu bar, the workspace in Explore or Train mode (the controls at the
// left or folded into a drawer, the text box, the chips, the heads and what goes below them), the
// status bar and the windows on top.
#include "gui/app.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>

#include "gui/commands.hpp"
#include "gui/ui/grid_plan.hpp"
#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/train_panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void App::build_ui(Requests& requests, FrameTimes& times) {
  const Palette colors = palette(m_state.view.theme);
  std::optional<attn::LayerView> shown = shown_layer();
  UiContext ctx{
      m_state,  m_model, shown ? &*shown : nullptr, 0, m_view, nullptr, nullptr, m_renderer, colors, ui_scale(),
      requests, m_layout};
  if (const attn::MhaWeights* w = m_model.weights())
    ctx.projection = {w->out_proj_weight.data(), w->out_proj_bias.data()};
  if (hosted()) ctx.hosted = &m_hosted;
  ctx.trained_model_problem = trained_model_problem();
  ctx.trained_step = m_progress ? m_progress->step : 0;
  if (!m_state.presentation) draw_menu_bar(ctx, m_state.presentation);

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  // No backgrounds: glClear already paints the window color, and every full-window fill costs a
  // whole frame of fragments on a software renderer.
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoBackground;
  ImGui::Begin("workspace", nullptr, flags);
  if (m_state.mode == Mode::Train)
    build_train(ctx);
  else
    build_explore(ctx, times);
  shown = shown_layer();  // the panels may have recomputed: never the previous frame's
  ctx.shown = shown ? &*shown : nullptr;
  draw_status_bar(ctx, m_last_frame_ms, m_state.mode == Mode::Train || hosted() ? m_answer_in_status : std::string());
  ImGui::End();

  draw_help_window(ctx);
  draw_closing_dialog();
  if (const auto path = draw_path_prompt(m_prompt)) act_on_prompt(*path);
}

float App::min_grid_height(const std::vector<std::string>& token_labels, float scale, bool small_labels) const {
  // One head: its title, the smallest map that is readable and carries its token labels (plus a
  // pixel a cell for rounding), its outline and the line under the grid.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float em = ImGui::GetFontSize();
  const int n = static_cast<int>(token_labels.size());
  const float side = std::max(min_readable_side(n, em, scale),
                              min_labelled_extent(n, token_label_spec(token_labels, scale, small_labels)));
  return em + style.ItemSpacing.y * 2.0f + style.ItemSpacing.x * 2.0f + side + static_cast<float>(n) +
         ImGui::GetFrameHeightWithSpacing();
}

App::Shell App::shell() const {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const float em = ImGui::GetFontSize();
  Shell shell;
  shell.status_h = ImGui::GetFrameHeightWithSpacing() + 4.0f;
  // The controls take at most 30% of the width; when that is too narrow for them, or leaves the
  // heads too little, they fold into a drawer (F10) — always in presentation mode.
  shell.controls_w = std::min(em * 19.0f, viewport->WorkSize.x * 0.3f);
  shell.folded =
      m_state.presentation || shell.controls_w < em * 15.0f || viewport->WorkSize.x - shell.controls_w < em * 30.0f;
  return shell;
}

void App::begin_controls(UiContext& ctx, const Shell& shell) {
  if (shell.folded) return;
  ImGui::BeginChild("controls", ImVec2(shell.controls_w, -shell.status_h), true, ImGuiWindowFlags_NoBackground);
  draw_mode_switch(ctx);
}

void App::end_controls(const Shell& shell) {
  if (shell.folded) return;
  ImGui::EndChild();
  ImGui::SameLine();
}

void App::drawer_button(UiContext& ctx, const Shell& shell) {
  if (!shell.folded) return;
  if (button(ctx.layout, "\xE2\x98\xB0##controls")) m_state.controls_open = !m_state.controls_open;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Controls (%s)%s%s%s", shortcut_text(Command::ControlsDrawer).c_str(),
                      m_state.presentation ? " \xC2\xB7 " : "",
                      m_state.presentation ? shortcut_text(Command::Presentation).c_str() : "",
                      m_state.presentation ? " leaves presentation mode" : "");
  ImGui::SameLine();
}

bool App::begin_drawer(UiContext& ctx, const Shell& shell) {
  if (!shell.folded) m_state.controls_open = false;
  if (!m_state.controls_open) return false;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(
      ImVec2(std::min(viewport->WorkSize.x, ImGui::GetFontSize() * 22.0f), viewport->WorkSize.y - shell.status_h));
  const std::string title = "Controls (" + shortcut_text(Command::ControlsDrawer) + ")###drawer";
  ImGui::Begin(title.c_str(), &m_state.controls_open,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings);
  record_title_bar(ctx.layout, title);
  draw_mode_switch(ctx);
  return true;
}

void App::build_explore(UiContext& ctx, FrameTimes& times) {
  const Shell frame = shell();

  begin_controls(ctx, frame);
  if (!frame.folded) draw_controls_panel(ctx);
  end_controls(frame);

  // Scrolls only when even the smallest readable heads and the panels below do not fit the window.
  ImGui::BeginChild("main", ImVec2(0.0f, -frame.status_h), false, ImGuiWindowFlags_NoBackground);
  drawer_button(ctx, frame);
  const bool hosted_model = hosted();
  const auto explore_layer = [&]() -> std::optional<attn::LayerView> {
    if (hosted_model) return hosted_layer();
    if (m_model.has_run()) return m_model.run().layer(0);
    return std::nullopt;
  };
  std::optional<attn::LayerView> last = explore_layer();  // last frame's, for the text marks
  ctx.shown = last ? &*last : nullptr;
  const std::string shown_text =
      hosted_model ? (m_hosted.result ? m_hosted.result->text : std::string()) : m_model.run_input().text;
  draw_text_box(ctx, m_state.input.text, shown_text,
                hosted_model ? "Type a sentence for the model…" : "Type a sentence…");
  // The keystroke of this frame shows in this frame (an opened model: when the worker has it).
  if (hosted_model)
    request_and_upload_hosted(times);
  else
    recompute_and_upload(times);
  const std::optional<attn::LayerView> shown = explore_layer();
  const attn::LayerView* layer_view = shown ? &*shown : nullptr;
  ctx.shown = layer_view;  // the recompute may have replaced last frame's run (build_ui reads it again)
  static const LayerRanges kNoView;
  const LayerRanges& view = !hosted_model ? m_view
                            : layer_view  ? m_hosted_views[static_cast<std::size_t>(std::clamp(
                                                m_state.model_layer, 0, static_cast<int>(m_hosted_views.size()) - 1))]
                                          : kNoView;
  UiContext view_ctx{ctx.state, ctx.model,    layer_view, 0,         view,         nullptr,
                     nullptr,   ctx.renderer, ctx.colors, ctx.scale, ctx.requests, ctx.layout};
  view_ctx.hosted = hosted_model ? &m_hosted : nullptr;
  view_ctx.hosted_views = hosted_model ? &m_hosted_views : nullptr;
  view_ctx.projection = ctx.projection;
  if (hosted_model && layer_view && m_hosted.model) {
    const attn::BlockParams<const float> b =
        m_hosted.model->model.weights().blocks[static_cast<std::size_t>(m_state.model_layer)];
    view_ctx.projection = {b.out_proj_w, b.out_proj_b};
  }
  draw_token_chips(view_ctx);
  draw_explore_caption(view_ctx);
  if (hosted_model) draw_hosted_line(view_ctx);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool have = layer_view && layer_view->n_tokens() > 0;
  // The heads come first: the panel below gets only the room they can spare at their smallest
  // readable size, and none when that is less than it needs.
  const float grid_min = have ? min_grid_height(view.token_labels, ctx.scale, m_state.enlarged_head >= 0) : 0.0f;
  // The model's answer: a line under the heads (and the spacing above it) where the labelled heads
  // leave room for it, else the status bar carries it, as in Train mode.
  const float answer_line_h = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
  const bool answers = hosted_model && have && avail.y - grid_min >= answer_line_h;
  const float answer_h = answers ? answer_line_h : 0.0f;
  m_answer_in_status = hosted_model && have && !answers
                           ? answer_summary(m_hosted.result->run, m_hosted.model->token_bytes, m_state)
                           : std::string();
  if (hosted_model && m_state.model_importance && have) {
    draw_head_importance(view_ctx, ImVec2(avail.x, avail.y - answer_line_h));
    draw_predictions(view_ctx, m_hosted.result->run, nullptr, m_hosted.model->token_bytes);
    m_answer_in_status.clear();
  } else if (hosted_model && m_state.model_overview && have) {
    // Every layer and head at once; the answer line stays under them.
    if (layer_view->n_tokens() <= static_cast<std::size_t>(kMaxOverviewTokens)) {
      draw_model_overview(view_ctx, ImVec2(avail.x, avail.y - answer_line_h));
    } else {
      const std::string why = "The overview of every layer shows sentences of up to " +
                              std::to_string(kMaxOverviewTokens) + " tokens; this one has " +
                              std::to_string(layer_view->n_tokens()) + ". Choose a layer instead.";
      text_wrapped(ctx.layout, "label", why);
    }
    draw_predictions(view_ctx, m_hosted.result->run, nullptr, m_hosted.model->token_bytes);
    m_answer_in_status.clear();
  } else {
    build_explore_heads(view_ctx, avail, grid_min, answer_h, answers);
  }
  ImGui::EndChild();
  if (begin_drawer(ctx, frame)) {
    draw_controls_panel(ctx);
    ImGui::End();
  }
}

void App::build_explore_heads(UiContext& view_ctx, ImVec2 avail, float grid_min, float answer_h, bool answers) {
  const float em = ImGui::GetFontSize();
  const bool have = view_ctx.shown && view_ctx.shown->n_tokens() > 0;
  // An enlarged head lays out its own step-through or Q/K/V, beside or below it.
  const bool enlarged = m_state.enlarged_head >= 0;
  const bool step = have && m_state.step.open && !enlarged;
  const bool qkv = !step && m_state.view.show_qkv && have && !enlarged;
  float lower_h = step ? std::max(avail.y * 0.45f, em * 12.0f) : qkv ? std::max(avail.y * 0.3f, em * 9.0f) : 0.0f;
  lower_h = std::min(lower_h, avail.y - grid_min - answer_h);
  const bool lower = (step || qkv) && lower_h >= em * (step ? 8.0f : 7.0f);
  draw_head_grid(view_ctx, ImVec2(avail.x, std::max((lower ? avail.y - lower_h : avail.y) - answer_h, grid_min)));
  if (answers) draw_predictions(view_ctx, m_hosted.result->run, nullptr, m_hosted.model->token_bytes);
  if (lower) {
    ImGui::Separator();
    const float rest = ImGui::GetContentRegionAvail().y;
    const ImVec2 below(avail.x, std::max(rest, lower_h) - ImGui::GetStyle().ItemSpacing.y * 2.0f);
    if (step) {
      draw_step_through(view_ctx, view_ctx.projection, below);
    } else {
      draw_qkv_panel(view_ctx, below, m_state.selected_head);
    }
  }
}

void App::build_train(UiContext& ctx) {
  const float em = ImGui::GetFontSize();
  const Shell frame = shell();
  TrainContext train{m_progress.get(), m_train_view, m_layer_views, m_train_commands};

  begin_controls(ctx, frame);
  if (!frame.folded) draw_train_controls(ctx, train);
  end_controls(frame);

  // Scrolls only when even the smallest readable heads and the panels below do not fit the window.
  ImGui::BeginChild("main", ImVec2(0.0f, -frame.status_h), false, ImGuiWindowFlags_NoBackground);
  drawer_button(ctx, frame);
  // Last frame's run stays alive to the end of this one: ctx points into it.
  const std::shared_ptr<const ModelRun> before = m_train_view.shared_run();
  const bool have = before->n_layers() > 0;
  const std::optional<attn::LayerView> first = have ? std::optional(before->layer(0)) : std::nullopt;
  ctx.shown = have ? &*first : nullptr;
  ctx.typed = have ? &m_train_view.run().input.tokens : nullptr;
  ctx.unknown = have ? &m_train_view.run().input.unknown : nullptr;
  draw_text_box(ctx, m_state.train.example, m_train_view.text(), "Type an input in the task's words…");
  update_train_view();  // this frame's edit shows in this frame
  const bool now = m_train_view.run().n_layers() > 0;
  const std::optional<attn::LayerView> first_now = now ? std::optional(m_train_view.run().layer(0)) : std::nullopt;
  // The chips and every panel below read this frame's model view (layer 1 for the tokens).
  UiContext view_ctx{ctx.state,
                     ctx.model,
                     now ? &*first_now : nullptr,
                     0,
                     now ? m_layer_views[0] : m_view,
                     now ? &m_train_view.run().input.unknown : nullptr,
                     now ? &m_train_view.run().input.tokens : nullptr,
                     ctx.renderer,
                     ctx.colors,
                     ctx.scale,
                     ctx.requests,
                     ctx.layout};
  draw_token_chips(view_ctx);
  if (!m_train_view.error().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.error);
    text_wrapped(ctx.layout, "error", m_train_view.error());
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // As in Explore: the heads first, the curves only in the room they spare. The timeline always
  // stays, so the heads' least is a map whose labels may be smaller than a grid's usual.
  // The timeline, the separator above it and its spacing.
  const float timeline_h = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 4.0f;
  const float grid_min = now ? min_grid_height(view_ctx.view.token_labels, ctx.scale, true) : em * 6.0f;
  // The answer line sits under the heads: one line, two with knock-outs ("before the knock-outs").
  // In a window too short for the labelled heads, the answer and the timeline, the heads and the
  // timeline keep their room and the status bar carries the answer.
  const bool answers = now && m_progress && m_progress->model;
  float answer_h = !answers ? 0.0f
                            : ImGui::GetFrameHeightWithSpacing() +
                                  (m_train_view.intact_run() ? ImGui::GetTextLineHeightWithSpacing() : 0.0f);
  const bool answer_below = answers && avail.y - grid_min - timeline_h < answer_h;
  if (answer_below) answer_h = 0.0f;
  float curves_h = std::max(avail.y * 0.27f, em * 8.0f);
  curves_h = std::max(std::min(curves_h, avail.y - grid_min - answer_h), timeline_h);
  draw_model_view(view_ctx, train, ImVec2(avail.x, std::max(avail.y - curves_h - answer_h, grid_min)));
  if (answers && !answer_below) draw_predictions(view_ctx, m_train_view, m_progress->model->vocab, *m_progress);
  ImGui::Separator();
  draw_curves_and_timeline(
      view_ctx, train,
      ImVec2(avail.x, std::max(ImGui::GetContentRegionAvail().y, curves_h) - ImGui::GetStyle().ItemSpacing.y));
  // Too short a window for the answer line (it would make the area scroll and the heads lose
  // their labels): the status bar leads with the answer instead.
  m_answer_in_status = answer_below ? answer_summary(m_train_view, m_progress->model->vocab, m_state) : "";
  ImGui::EndChild();
  if (begin_drawer(ctx, frame)) {
    draw_train_controls(ctx, train);
    ImGui::End();
  }
  draw_reset_confirmation(ctx, train);
}

std::optional<attn::LayerView> App::shown_layer() const {
  if (hosted()) return hosted_layer();
  if (m_state.mode == Mode::Explore) {
    if (m_model.has_run()) return m_model.run().layer(0);
    return std::nullopt;
  }
  const ModelRun& run = m_train_view.run();
  if (run.n_layers() == 0) return std::nullopt;
  return run.layer(std::clamp(m_state.train.enlarged_layer, 0, run.n_layers() - 1));
}

}  // namespace app::gui
