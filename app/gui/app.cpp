// The frame loop, as Dear ImGui's example_glfw_opengl3: poll events, start the ImGui frame, build
// the UI, render, swap. What a frame builds is in layouts.cpp, what it asked for runs after it
// (requests.cpp), Train mode's worker is driven from train_controller.cpp, and scripted runs'
// input comes from the test hooks around NewFrame and Render.
#include "gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/session_file.hpp"
#include "gui/commands.hpp"
#include "gui/gfx/gl.hpp"
#include "gui/theme.hpp"

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
  if (m_model.has_run()) m_view = make_layer_ranges(m_model.run().layer(0));
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
  if (m_state.mode == Mode::Train) start_training();
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
  if (changed) m_view = make_layer_ranges(m_model.run().layer(0));
  if (m_textures_mode != Mode::Explore || m_textures_hosted) {
    m_uploaded_generation = 0;  // Train mode's layers or an opened model's are in the textures: ours again
    m_textures_mode = Mode::Explore;
    m_textures_hosted = false;
  }
  if (m_model.has_run() && m_model.generation() != m_uploaded_generation) {
    const auto t1 = Clock::now();
    m_renderer.upload(m_model.run().layer(0));
    if (m_options.bench_ui) glFinish();  // charge the upload to this phase, not to drawing
    times.upload_ms = ms_since(t1);
    m_uploaded_generation = m_model.generation();
    clamp_head_selection(m_state, m_model.run().config.n_heads);
  }
}

FrameTimes App::frame() {
  FrameTimes times;
  const auto t0 = Clock::now();
  apply_style_if_changed();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  m_hooks.before_new_frame(m_frame_index, m_layout, m_window, m_state);  // scripted runs only
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
  m_hooks.after_render(m_frame_index, requests, m_window);  // scripted runs only
  glfwSwapBuffers(m_window);
  if (m_options.bench_ui) glFinish();
  times.total_ms = ms_since(t0);
  m_last_frame_ms = times.total_ms;
  ++m_frame_index;
  handle_requests(requests);
  return times;
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
