// One frame of the window, the shortcuts, and what happens after a frame (files, exports).
#include "gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/lessons.hpp"
#include "core/session_file.hpp"
#include "core/train_text.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "engine/npy.hpp"
#include "export/export_paths.hpp"
#include "gui/commands.hpp"
#include "gui/gfx/gl.hpp"
#include "gui/screenshot.hpp"
#include "gui/test_hooks.hpp"
#include "gui/theme.hpp"
#include "gui/ui/grid_plan.hpp"
#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/train_panels.hpp"

namespace app::gui {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
constexpr float kBaseFontPixels = 17.0f;

}  // namespace

App::App(GLFWwindow* window, WindowOptions options, AppState state, LiveModel model)
    : m_window(window),
      m_options(std::move(options)),
      m_state(std::move(state)),
      m_model(std::move(model)),
      m_models([] { glfwPostEmptyEvent(); }) {  // a result wakes the event loop to be drawn
  if (m_model.has_trace()) m_view = make_trace_view(m_model.trace());
  float xs = 1.0f, ys = 1.0f;
  glfwGetWindowContentScale(m_window, &xs, &ys);
  m_content_scale = std::clamp(std::max(xs, ys), kMinUiScale, kMaxUiScale);
  m_last_settings_check = Clock::now();  // m_saved_settings starts empty: the first check writes
}

bool App::init(std::string& error) {
  if (!m_renderer.init(error)) return false;
  if (m_options.fullscreen) toggle_presentation();
  if (m_state.model_path == kTrainedModelPath) {  // a model that lived in the last run only
    m_state.model_path.clear();
    set_status("The model trained in Train mode last time was not saved: Explore shows random weights", false);
  }
  if (!m_state.model_path.empty()) m_models.open(m_state.model_path);  // --model DIR, a session or last time's
  if (m_state.mode == Mode::Train) {
    // The first start trains the sentences lesson's model from step 0 (a saved session later opens
    // the trained lesson, where this run ends); --model / --lesson open another; --new TASK
    // (or a lesson that cannot be read) makes a fresh model with the default shape (--heads sets
    // its head count).
    const std::string path = m_options.model_path.empty() || m_state.model_path == m_options.model_path
                                 ? lesson_path("sentences")
                                 : m_options.model_path;
    if (m_options.first_start && train_from_step_0(path)) {
      // The first start: the lesson's model learns while the person watches.
    } else if (!m_options.new_task.empty() || !open_model(path)) {
      TrainChoices fresh;
      fresh.task = m_options.new_task.empty() ? fresh.task : m_options.new_task;
      const auto task = attn::make_task(fresh.task);
      if (task)
        fresh.settings.seq_len = task->default_seq_len();
      else
        text_task_defaults(fresh);  // --new text: the English corpus, learned by the worker
      if (!m_options.new_task.empty() && m_options.model_flags_given) {
        // --new TASK --heads H: that many heads of d_model / H each, derived like the controls do.
        TrainChoices wanted = fresh;
        wanted.arch.n_heads = m_options.input.config.n_heads;
        derive_choices(wanted, true);
        const std::string problem = choices_problem(wanted, true);
        if (problem.empty())
          fresh = wanted;
        else
          set_status("--heads for the new model: " + problem, true);
      }
      m_host.post(command_for(TrainCommand::Kind::Reset, fresh));
      m_state.train.example = task ? task->example() : attn::kTextTaskExample;
      m_state.train.example_task = fresh.task;
    }
    if (m_options.example_given) m_state.train.example = m_options.example;
    m_host.wait_idle();  // the model is ready for the first frame (a few milliseconds)
  }
  return true;
}

float App::ui_scale() const { return m_state.view.ui_scale > 0.0f ? m_state.view.ui_scale : m_content_scale; }

void App::set_status(std::string message, bool is_error) {
  m_state.status = std::move(message);
  m_state.status_is_error = is_error;
  if (is_error) std::fprintf(stderr, "attnlab: %s\n", m_state.status.c_str());
}

void App::apply_style_if_changed() {
  const float scale = ui_scale();
  if (scale != m_applied_scale || m_state.view.theme != m_applied_theme) {
    apply_theme(m_state.view.theme, scale);
    m_applied_scale = scale;
    m_applied_theme = m_state.view.theme;
  }
  // Glyphs for whatever the sentence contains, at the pixel size of this scale (crisp, not scaled).
  m_fonts.want_text(m_state.input.text);
  if (m_fonts.rebuild_if_needed(std::round(kBaseFontPixels * scale)) && !m_fonts.warning().empty())
    set_status(m_fonts.warning(), true);
}

void App::recompute_and_upload(FrameTimes& times) {
  const auto t0 = Clock::now();
  const bool changed = m_model.update(m_state.input);
  times.recompute_ms = ms_since(t0);
  if (changed) m_view = make_trace_view(m_model.trace());
  if (m_textures_mode != Mode::Explore || m_textures_hosted) {
    m_uploaded_generation = 0;  // Train mode's layers or an opened model's are in the textures: ours again
    m_textures_mode = Mode::Explore;
    m_textures_hosted = false;
  }
  if (m_model.has_trace() && m_model.generation() != m_uploaded_generation) {
    const auto t1 = Clock::now();
    m_renderer.upload(m_model.trace());
    if (m_options.bench_ui) glFinish();  // charge the upload to this phase, not to drawing
    times.upload_ms = ms_since(t1);
    m_uploaded_generation = m_model.generation();
    clamp_head_selection(m_state, m_model.trace().config.n_heads);
  }
}

void App::build_ui(Requests& requests, FrameTimes& times) {
  const Palette colors = palette(m_state.view.theme);
  UiContext ctx{m_state, m_model,    current_trace(), 0,          m_view,   nullptr,
                nullptr, m_renderer, colors,          ui_scale(), requests, m_layout};
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
  ctx.trace = current_trace();  // the panels may have recomputed: never the previous frame's
  draw_status_bar(ctx, m_last_frame_ms, m_state.mode == Mode::Train || hosted() ? m_answer_in_status : std::string());
  ImGui::End();

  draw_help_window(ctx);
  draw_closing_dialog();
  if (const auto path = draw_path_prompt(m_prompt)) {
    try {
      switch (m_prompt.kind) {
        case PathPrompt::Kind::OpenSession: {
          AppState next = m_state;
          load_session(*path, next);
          // The session's model: opened off the UI thread (the one shown stays until it has
          // loaded), or none: back to random weights.
          const std::string model = next.model_path;
          next.model_path = m_state.model_path;
          m_state = std::move(next);
          if (model.empty() && !m_state.model_path.empty())
            close_hosted_model();
          else if (!model.empty() && model != m_state.model_path)
            open_any_model(model);
          set_status("Opened session " + *path, false);
          break;
        }
        case PathPrompt::Kind::SaveSession:
          save_session(m_state, *path);
          set_status("Saved session " + *path, false);
          break;
        case PathPrompt::Kind::OpenModel:
          if (!open_any_model(*path)) throw std::invalid_argument(m_state.status);
          break;
        case PathPrompt::Kind::SaveModel:
          save_model(*path);
          set_status("Saved model " + *path, false);
          break;
        case PathPrompt::Kind::SaveHfFolder:
          save_hf_folder(*path);
          set_status("Saved the model as a Hugging Face GPT-2 folder " + *path, false);
          break;
        case PathPrompt::Kind::TextFile:
          choose_text_file(*path);
          set_status("Learning a BPE on " + *path + ", then a new model trains on it", false);
          break;
        case PathPrompt::Kind::ExportFolder: {
          std::error_code ec;
          if (!std::filesystem::is_directory(*path, ec)) throw std::invalid_argument(*path + " is not a folder");
          m_state.export_dir = *path;
          set_status("Exports now go to " + *path, false);
          break;
        }
      }
      m_prompt.open = false;
      m_prompt.error.clear();
      ImGui::CloseCurrentPopup();
    } catch (const std::exception& e) {
      m_prompt.error = e.what();  // the prompt stays open so the person can fix the path
    }
  }
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
  if (ImGui::Button("\xE2\x98\xB0##controls")) m_state.controls_open = !m_state.controls_open;
  ctx.layout.framed("button", "\xE2\x98\xB0");
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
  ctx.layout.title_bar(title);
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
  const auto explore_trace = [&]() -> const attn::Trace* {
    if (hosted_model) return hosted_trace();
    return m_model.has_trace() ? &m_model.trace() : nullptr;
  };
  ctx.trace = explore_trace();  // last frame's, for the text marks
  const std::string traced_text =
      hosted_model ? (m_hosted.result ? m_hosted.result->text : std::string()) : m_model.traced_input().text;
  draw_text_box(ctx, m_state.input.text, traced_text,
                hosted_model ? "Type a sentence for the model…" : "Type a sentence…");
  // The keystroke of this frame shows in this frame (an opened model: when the worker has it).
  if (hosted_model)
    request_and_upload_hosted(times);
  else
    recompute_and_upload(times);
  const attn::Trace* trace = explore_trace();
  static const TraceView kNoView;
  const TraceView& view = !hosted_model ? m_view
                          : trace       ? m_hosted_views[static_cast<std::size_t>(std::clamp(
                                              m_state.model_layer, 0, static_cast<int>(m_hosted_views.size()) - 1))]
                                        : kNoView;
  UiContext view_ctx{ctx.state, ctx.model,    trace,      0,         view,         nullptr,
                     nullptr,   ctx.renderer, ctx.colors, ctx.scale, ctx.requests, ctx.layout};
  view_ctx.hosted = hosted_model ? &m_hosted : nullptr;
  view_ctx.hosted_views = hosted_model ? &m_hosted_views : nullptr;
  view_ctx.projection = ctx.projection;
  if (hosted_model && trace && m_hosted.model) {
    const attn::BlockParams<const float> b =
        m_hosted.model->model.weights().blocks[static_cast<std::size_t>(m_state.model_layer)];
    view_ctx.projection = {b.out_proj_w, b.out_proj_b};
  }
  draw_token_chips(view_ctx);
  draw_explore_caption(view_ctx);
  if (hosted_model) draw_hosted_line(view_ctx);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool have = trace && trace->n_tokens() > 0;
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
    if (trace->n_tokens() <= static_cast<std::size_t>(kMaxOverviewTokens)) {
      draw_model_overview(view_ctx, ImVec2(avail.x, avail.y - answer_line_h));
    } else {
      const std::string why = "The overview of every layer shows sentences of up to " +
                              std::to_string(kMaxOverviewTokens) + " tokens; this one has " +
                              std::to_string(trace->n_tokens()) + ". Choose a layer instead.";
      ImGui::TextWrapped("%s", why.c_str());
      ctx.layout.item("label", why);
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
  const bool have = view_ctx.trace && view_ctx.trace->n_tokens() > 0;
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
  const bool have = !m_train_view.layers().empty();
  ctx.trace = have ? &m_train_view.layers()[0] : nullptr;
  ctx.typed = have ? &m_train_view.run().input.tokens : nullptr;
  ctx.unknown = have ? &m_train_view.run().input.unknown : nullptr;
  draw_text_box(ctx, m_state.train.example, m_train_view.text(), "Type an input in the task's words…");
  update_train_view();  // this frame's edit shows in this frame
  const bool now = !m_train_view.layers().empty();
  // The chips and every panel below read this frame's model view (layer 1 for the tokens).
  UiContext view_ctx{ctx.state,
                     ctx.model,
                     now ? &m_train_view.layers()[0] : nullptr,
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
    ImGui::TextWrapped("%s", m_train_view.error().c_str());
    ctx.layout.item("error", m_train_view.error());
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

const attn::Trace* App::current_trace() const {
  if (hosted()) return hosted_trace();
  if (m_state.mode == Mode::Explore) return m_model.has_trace() ? &m_model.trace() : nullptr;
  const auto& layers = m_train_view.layers();
  if (layers.empty()) return nullptr;
  const int l = std::clamp(m_state.train.enlarged_layer, 0, static_cast<int>(layers.size()) - 1);
  return &layers[static_cast<std::size_t>(l)];
}

void App::take_train_progress() {
  m_progress = m_host.latest();
  // A refusal or failure of the training worker (not enough memory, a step that threw) goes to
  // the status bar too, once each.
  if (m_progress && m_progress->error && m_progress->message_generation != m_seen_train_error) {
    m_seen_train_error = m_progress->message_generation;
    set_status(m_progress->message, true);
    // A refused reset (a text file too short, no memory): the controls show the model there is.
    if (m_progress->model && !m_state.train.pending) {
      const attn::Checkpoint& spec = *m_progress->model;
      m_state.train.applied = m_state.train.choices =
          choices_of(spec.task, spec.model.arch, spec.model.run, spec.train, m_progress->text_file);
    }
  }
  if (!m_progress || !m_progress->model) return;
  const attn::Checkpoint& spec = *m_progress->model;
  if (m_progress->model_generation != m_seen_model_generation) {
    m_seen_model_generation = m_progress->model_generation;
    on_new_model(m_state.train,
                 choices_of(spec.task, spec.model.arch, spec.model.run, spec.train, m_progress->text_file),
                 spec.model.arch.n_layers, spec.model.arch.n_heads);
    if (!m_start_knock_outs_done) {  // --knock-out: a test hook, applied to the first model
      m_start_knock_outs_done = true;
      bool any = false;
      for (const auto& [layer, head] : m_options.knock_outs) any |= toggle_knock_out(m_state.train, layer, head);
      if (any) {
        TrainCommand knock(TrainCommand::Kind::SetKnockOut);
        knock.knocked_out = m_state.train.knocked_out;
        m_host.post(std::move(knock));
        settle_scripted_run();
      }
    }
  }
  m_state.train.trained = m_progress->step > 0;
  // The trainer may move the target on (Train at the target): the controls follow.
  TrainState& t = m_state.train;
  if (!t.pending && t.choices == t.applied && t.applied.settings.steps != spec.train.steps)
    t.applied.settings.steps = t.choices.settings.steps = spec.train.steps;
}

void App::update_train_view() {
  if (!m_progress) return;
  // Knock-outs on a scrubbed-back timeline: ask the worker to evaluate that step with them, once.
  const ParamsAtStep need = shown_evaluation_needed(*m_progress, m_state.train);
  if (need.params && (need.params != m_requested_evaluation || m_state.train.knocked_out != m_requested_knocked_out)) {
    TrainCommand evaluate(TrainCommand::Kind::EvaluateShown);
    evaluate.shown = need;
    m_host.post(std::move(evaluate));
    m_requested_evaluation = need.params;
    m_requested_knocked_out = m_state.train.knocked_out;
    settle_scripted_run();  // the next frame's progress has the evaluation
  }
  m_train_view.update(*m_progress, m_state.train);
  if (m_train_view.layers().empty()) return;
  if (m_train_view.generation() == m_train_uploaded && m_textures_mode == Mode::Train) return;
  m_layer_views.clear();
  for (std::size_t l = 0; l < m_train_view.layers().size(); ++l) {
    m_layer_views.push_back(make_trace_view(m_train_view.layers()[l]));
    m_renderer.upload(m_train_view.layers()[l], static_cast<int>(l));
  }
  m_train_uploaded = m_train_view.generation();
  m_textures_mode = Mode::Train;
  m_textures_hosted = false;
}

bool App::train_from_step_0(const std::string& path) {
  std::shared_ptr<attn::Checkpoint> lesson;
  try {
    lesson = std::make_shared<attn::Checkpoint>(attn::load_checkpoint(path));
    if (!attn::make_task(lesson->task)) return false;
  } catch (const std::exception&) {
    return false;  // the caller makes a fresh model and says so
  }
  // The lesson's own shape, settings and seed: the run ends where the shipped lesson is.
  TrainCommand reset(TrainCommand::Kind::Reset);
  reset.arch = lesson->model.arch;
  reset.run = lesson->model.run;
  reset.settings = lesson->train;
  reset.task = lesson->task;
  m_host.post(std::move(reset));
  m_host.post(TrainCommand(TrainCommand::Kind::Run));
  m_state.train.example = example_text(*lesson);
  m_state.train.example_task = lesson->task;
  set_status("The sentences lesson learns from step 0: watch its heads form (" + shortcut_text(Command::TrainOrPause) +
                 " pauses, F1 lists the keys)",
             false);
  return true;
}

void App::settle_scripted_run() {
  // Scripted runs (tests, figures) show what a command asked for in the next frame, however slow
  // the machine (a sanitizer build), as a person who waits a moment would see it.
  if (m_options.frames > 0) m_host.wait_idle();
}

bool App::open_model(const std::string& path) {
  std::shared_ptr<attn::Checkpoint> checkpoint;
  try {
    checkpoint = std::make_shared<attn::Checkpoint>(attn::load_checkpoint(path));
    attn::make_task_for(*checkpoint);  // a task this attnlab can train, and for a text model its corpus
  } catch (const std::exception& e) {
    set_status(std::string("Model not opened: ") + e.what(), true);
    return false;
  }
  m_state.train.example = example_text(*checkpoint);
  m_state.train.example_task = checkpoint->task;
  TrainCommand load(TrainCommand::Kind::Load);
  load.checkpoint = checkpoint;
  m_host.post(std::move(load));
  m_state.mode = Mode::Train;
  set_status("Opened model " + path, false);
  return true;
}

void App::save_model(const std::string& path) {
  if (!m_progress) throw std::invalid_argument("there is no model to save");
  attn::save_checkpoint(trained_checkpoint(*m_progress), path);
}

void App::save_hf_folder(const std::string& path) {
  if (!m_progress) throw std::invalid_argument("there is no model to save");
  const attn::Checkpoint c = trained_checkpoint(*m_progress);
  const std::string why = attn::hf_gpt2_refusal(c.model);
  if (!why.empty())
    throw std::invalid_argument("GPT-2 cannot express this model: " + why +
                                ". Train one with MLP after attention and a learned position table, or save it "
                                "as a .npz with File > Save model");
  if (c.tokenizer)
    attn::save_hf_gpt2(c.model, *c.tokenizer, path);
  else
    attn::save_hf_gpt2(c.model, c.vocab, path);
}

void App::choose_text_file(const std::string& path) {
  text_corpus(path);  // a bad file is the prompt's message; the model trained so far stays
  TrainChoices& c = m_state.train.choices;
  if (c.task != "text") {
    text_task_defaults(c);
    m_state.train.d_head_auto = true;
  }
  c.task = "text";
  c.text_file = path;
}

void App::handle_shortcuts(Requests& requests) {
  CommandTarget target{m_state, requests, m_train_commands, m_progress && m_progress->running, ui_scale()};
  gui::handle_shortcuts(target);
}

FrameTimes App::frame() {
  FrameTimes times;
  const auto t0 = Clock::now();
  apply_style_if_changed();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  inject_test_input(m_options, m_frame_index, m_layout, m_window);  // scripted runs only
  for (const WindowOptions::TextFile& f : m_options.text_files) {
    // Test hook: the file chosen as Task > a text file... would choose it; a bad one is the message.
    if (f.frame != m_frame_index) continue;
    try {
      choose_text_file(f.path);
    } catch (const std::exception& e) {
      set_status(e.what(), true);
    }
  }
  {
    const NavKeyGuard shortcuts_only(m_state, ImGui::GetIO().WantTextInput);
    ImGui::NewFrame();
  }
  m_renderer.begin_frame();
  m_layout.clear();

  Requests requests;
  take_train_progress();
  take_hosted_model();
  handle_shortcuts(requests);
  build_ui(requests, times);
  inject_test_requests(m_options, m_frame_index, requests);
  ImGui::Render();

  int fb_w = 0, fb_h = 0;
  glfwGetFramebufferSize(m_window, &fb_w, &fb_h);
  glViewport(0, 0, fb_w, fb_h);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!m_pending_screenshot.empty()) {
    take_screenshot(m_pending_screenshot);
    m_pending_screenshot.clear();
  }
  if (!m_hook_screenshot.empty()) {
    try {
      int w = 0, h = 0;
      glfwGetFramebufferSize(m_window, &w, &h);
      write_framebuffer_png(m_hook_screenshot, w, h);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attnlab: --screenshot: %s\n", e.what());
    }
    m_hook_screenshot.clear();
  }
  glfwSwapBuffers(m_window);
  if (m_options.bench_ui) glFinish();
  times.total_ms = ms_since(t0);
  m_last_frame_ms = times.total_ms;
  ++m_frame_index;
  handle_requests(requests);
  return times;
}

void App::handle_requests(const Requests& r) {
  if (r.quit) request_quit();
  if (r.toggle_fullscreen) toggle_presentation();
  // A screenshot is taken from the next frame's back buffer, which has no menu open.
  if (r.screenshot) {
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    m_pending_screenshot =
        unique_path(dir + "/" + suggested_file_name(m_state.input.text, "screenshot", "png", std::time(nullptr)));
  }
  if (r.open_session || r.save_session || r.choose_export_dir) {
    m_prompt.open = true;
    m_prompt.error.clear();
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    if (r.choose_export_dir) {
      m_prompt.kind = PathPrompt::Kind::ExportFolder;
      m_prompt.path = dir;
    } else {
      m_prompt.kind = r.save_session ? PathPrompt::Kind::SaveSession : PathPrompt::Kind::OpenSession;
      m_prompt.path = dir + (r.save_session ? "/lesson.json" : "/");
    }
  }
  if (r.export_choice) run_export(*r.export_choice);
  if (r.train_export) run_train_export(*r.train_export);
  if (m_background_export.valid()) ++m_frames_while_exporting;
  finish_background_export();
  for (TrainCommand& command : m_train_commands) m_host.post(std::move(command));
  if (!m_train_commands.empty()) settle_scripted_run();
  m_train_commands.clear();
  if (!r.lesson.empty()) open_any_model(lesson_path(r.lesson));
  if (!r.open_model_path.empty()) open_any_model(r.open_model_path);
  if (r.close_model) close_hosted_model();
  if (r.continue_text) continue_hosted_text();
  if (r.save_hf_folder || r.choose_text_file) {
    m_prompt.open = true;
    m_prompt.error.clear();
    m_prompt.kind = r.save_hf_folder ? PathPrompt::Kind::SaveHfFolder : PathPrompt::Kind::TextFile;
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    m_prompt.path = dir + (r.save_hf_folder ? "/attnlab-gpt2/" : "/");
  }
  if (r.open_model || r.save_model) {
    m_prompt.open = true;
    m_prompt.error.clear();
    m_prompt.kind = r.save_model ? PathPrompt::Kind::SaveModel : PathPrompt::Kind::OpenModel;
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    m_prompt.path = r.save_model
                        ? dir + "/" + (m_progress && m_progress->model ? m_progress->model->task : "model") + ".npz"
                        : lesson_models_dir() + "/";
  }
  // What the mouse was over in this frame is what the next frame highlights.
  m_state.hovered_token = r.hover_token;
  m_state.hovered_query = r.hover_query;
  m_state.hovered_key = r.hover_key;
}

void App::toggle_fullscreen() {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (!m_fullscreen) {
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    if (!mode) {
      set_status("Full screen is not available: no monitor found", true);
      return;
    }
    glfwGetWindowPos(m_window, &m_windowed_x, &m_windowed_y);
    glfwGetWindowSize(m_window, &m_windowed_w, &m_windowed_h);
    glfwSetWindowMonitor(m_window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else {
    glfwSetWindowMonitor(m_window, nullptr, m_windowed_x, m_windowed_y, m_windowed_w, m_windowed_h, 0);
  }
  m_fullscreen = !m_fullscreen;
  m_state.fullscreen = m_fullscreen;
}

void App::toggle_presentation() {
  m_state.presentation = !m_state.presentation;
  m_state.controls_open = false;
  // Full screen follows where there is a monitor to fill; the folded controls work without it.
  if (m_fullscreen != m_state.presentation) toggle_fullscreen();
}

void App::take_screenshot(const std::string& path) {
  int w = 0, h = 0;
  glfwGetFramebufferSize(m_window, &w, &h);
  try {
    write_framebuffer_png(path, w, h);
    set_status("Saved screenshot " + path, false);
  } catch (const std::exception& e) {
    set_status(std::string("Screenshot not saved: ") + e.what(), true);
  }
}

void App::save_settings_if_changed(bool force) {
  if (m_options.no_settings) return;
  if (!force && ms_since(m_last_settings_check) < 1000.0) return;
  m_last_settings_check = Clock::now();
  const std::string json = session_to_json(m_state);
  if (json == m_saved_settings) return;
  try {
    save_session(m_state, settings_path());
    m_saved_settings = json;
  } catch (const std::exception& e) {
    m_saved_settings = json;  // say it once, not every second
    set_status(std::string("Settings not saved: ") + e.what(), true);
  }
}

void App::write_layout(const std::string& path) const {
  nlohmann::json heatmaps = nlohmann::json::array(), chips = nlohmann::json::array();
  for (const auto& h : m_layout.heatmaps)
    heatmaps.push_back({{"matrix", h.matrix},
                        {"head", h.head},
                        {"layer", h.layer},
                        {"x", h.x},
                        {"y", h.y},
                        {"w", h.w},
                        {"h", h.h},
                        {"rows", h.rows},
                        {"cols", h.cols},
                        {"visible", {h.visible_top, h.visible_bottom}}});
  nlohmann::json step_json = nullptr;
  const StepThrough& st = m_state.step;
  const attn::Trace* step_trace = m_state.mode == Mode::Explore ? current_trace()
                                  : st.layer < static_cast<int>(m_train_view.layers().size())
                                      ? &m_train_view.layers()[static_cast<std::size_t>(st.layer)]
                                      : nullptr;
  if (st.open && step_trace && step_trace->n_tokens() > 0) {
    attn::ExplainOptions o;
    o.scale_by_sqrt_d = st.scale_by_sqrt_d;
    o.temperature = st.temperature;
    o.mask = st.mask_off ? 0 : -1;
    const attn::QueryExplanation e = attn::explain_query(*step_trace, st.head, st.query, o);
    step_json = {{"layer", st.layer}, {"head", st.head},      {"query", st.query},   {"key", st.key},
                 {"step", st.step},   {"weights", e.weights}, {"divisor", e.divisor}};
  }
  nlohmann::json train_json = nullptr;
  if (m_progress) {
    const CurvePoint* point = shown_point(*m_progress, m_state.train);
    train_json = {{"step", m_progress->step},
                  {"shown_step", m_train_view.shown_step()},
                  {"running", m_progress->running},
                  {"loss", point ? point->loss : 0.0f},
                  {"accuracy", point ? point->accuracy : 0.0f},
                  {"task", m_progress->model ? m_progress->model->task : ""},
                  {"tokens", m_train_view.layers().empty() ? 0 : m_train_view.layers()[0].n_tokens()},
                  {"message", m_progress->message},
                  {"knocked_out", m_state.train.knocked_out},
                  {"text_file", m_progress->text_file},
                  {"bits_per_byte", point ? point->bits_per_byte : 0.0},
                  {"unigram_bpb", m_progress->unigram_bpb},
                  {"bigram_bpb", m_progress->bigram_bpb},
                  {"vocab", m_progress->model ? m_progress->model->model.arch.vocab_size : 0}};
  }
  nlohmann::json opened = nullptr;  // Explore's opened model: what the host holds and shows
  if (hosted()) {
    opened = {{"path", m_state.model_path},
              {"name", m_hosted.model ? m_hosted.model->name : ""},
              {"layer", m_state.model_layer},
              {"tokens_typed", m_hosted.result ? m_hosted.result->tokens_typed : 0},
              {"layers", m_hosted.model ? m_hosted.model->model.arch.n_layers : 0},
              {"loading", m_hosted.loading},
              {"error", m_hosted.error},
              {"load_error", m_hosted.load_error},
              {"text", m_hosted.result ? m_hosted.result->text : ""},
              {"ids", m_hosted.result ? m_hosted.result->run.input.ids : std::vector<std::int32_t>{}}};
  }
  for (const auto& c : m_layout.chips)
    chips.push_back({{"index", c.index}, {"x", c.x}, {"y", c.y}, {"w", c.w}, {"h", c.h}});
  nlohmann::json texts = nlohmann::json::array();
  for (const auto& t : m_layout.texts)
    texts.push_back({{"kind", t.kind},
                     {"text", t.text},
                     {"window", t.window},
                     {"x", t.x},
                     {"y", t.y},
                     {"w", t.w},
                     {"h", t.h},
                     {"cut", t.cut}});
  int w = 0, h = 0;
  glfwGetFramebufferSize(m_window, &w, &h);
  int window_w = 0, window_h = 0;
  glfwGetWindowSize(m_window, &window_w, &window_h);
  const nlohmann::json j = {
      {"framebuffer", {w, h}},
      {"window", {window_w, window_h}},
      {"ui_scale", ui_scale()},
      {"presentation", m_state.presentation},
      {"controls_open", m_state.controls_open},
      {"head_page", m_state.head_page},
      // ImGui's keyboard-navigation frame is drawn around an item: a shortcut
      // must never leave one (tests check it stays off).
      {"nav_highlight", GImGui->NavWindow != nullptr && GImGui->NavId != 0 && !GImGui->NavDisableHighlight},
      {"heatmaps", heatmaps},
      {"chips", chips},
      {"texts", texts},
      {"recent_models", m_state.recent_models},
      {"error", hosted() ? m_hosted.error : m_model.error()},
      {"status", m_state.status},
      {"frames_while_exporting", m_frames_while_exporting},
      {"closing_frames", m_closing_frames},
      {"hovered_token", m_state.hovered_token},
      {"mode", m_state.mode == Mode::Train ? "train" : "explore"},
      {"train", train_json},
      {"opened_model", opened},
      {"step_through", step_json},
      {"tokens", current_trace() ? current_trace()->n_tokens() : 0},
      {"token_message", m_model.has_trace() ? m_model.trace().tokenization.message : ""}};
  attn::write_file_atomic(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

int App::run() {
  while (!m_quit) {
    if (glfwWindowShouldClose(m_window)) {  // the window manager's close button: as Ctrl+Q
      glfwSetWindowShouldClose(m_window, GLFW_FALSE);
      request_quit();
      if (m_quit) break;
    }
    // Idle: wait for input instead of redrawing, so a laptop stays cool. After input, draw a
    // few frames so hover and layout settle.
    const bool training = m_state.mode == Mode::Train && m_progress && m_progress->running;
    if (m_busy_frames > 0 || m_options.frames > 0) {
      glfwPollEvents();
      --m_busy_frames;
    } else if (training || m_background_export.valid()) {
      // Training publishes ~30 times a second: draw at most 60 frames a second (input still wakes
      // us at once), so a software renderer without vsync leaves the trainer its core.
      glfwWaitEventsTimeout(1.0 / 60.0);
    } else {
      glfwWaitEventsTimeout(ImGui::GetIO().WantTextInput ? 0.5 : 10.0);  // caret blink while typing
      m_busy_frames = 3;
    }
    const bool last = m_options.frames > 0 && m_frame_index + 1 >= m_options.frames;
    if (last && !m_options.screenshot_path.empty()) m_hook_screenshot = m_options.screenshot_path;
    frame();
    save_settings_if_changed(false);
    if (last) {
      // A scripted run ends with its export written and reported, like a person who waits for it.
      if (m_background_export.valid()) m_background_export.wait();
      finish_background_export();
      break;
    }
  }
  // A scripted run writes its layout when it ends: at its last frame, or earlier by quitting.
  if (!m_options.layout_path.empty()) write_layout(m_options.layout_path);
  // Closing the window never loses an export in progress: it is finished first.
  if (m_background_export.valid()) {
    m_background_export.wait();
    finish_background_export();
  }
  save_settings_if_changed(true);
  return 0;
}

}  // namespace app::gui
