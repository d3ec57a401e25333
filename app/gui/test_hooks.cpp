// Scripted input: mouse, keys, text files and picker choices at fixed frames, and the last frame's
// screenshot.
#include "gui/test_hooks.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <cfloat>
#include <cstdio>
#include <exception>

#include "gui/screenshot.hpp"
#include "gui/train_controller.hpp"

namespace app::gui {

void TestHooks::before_new_frame(int frame, const LayoutRecord& last, GLFWwindow* window, AppState& state) const {
  const WindowOptions& options = m_options;
  ImGuiIO& io = ImGui::GetIO();
  if (options.frames > 0 && options.hover_token < 0) {
    // Scripted runs (tests, figures) must not depend on where the X server left the pointer.
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  }
  if (options.hover_token >= 0 && frame >= 2) {
    // The real mouse on a chip laid out in the previous frame.
    for (const auto& chip : last.chips)
      if (chip.index == options.hover_token) {
        const double x = chip.x + chip.w * 0.5, y = chip.y + chip.h * 0.5;
        glfwSetCursorPos(window, x, y);
        io.MousePos = ImVec2(static_cast<float>(x), static_cast<float>(y));
      }
  }
  for (const WindowOptions::Click& click : options.clicks) {
    // A left click on a heatmap cell laid out in the previous frame.
    if (click.frame == frame) {
      for (const auto& h : last.heatmaps)
        if (h.matrix == "attention" && h.head == click.head && h.layer == 0 && h.rows > click.row &&
            h.cols > click.col) {
          io.MousePos = ImVec2(h.x + h.w * (static_cast<float>(click.col) + 0.5f) / static_cast<float>(h.cols),
                               h.y + h.h * (static_cast<float>(click.row) + 0.5f) / static_cast<float>(h.rows));
          io.MouseDown[0] = true;
          break;
        }
    } else if (click.frame + 1 == frame) {
      io.MouseDown[0] = false;
    }
  }
  for (const WindowOptions::KeyPress& press : options.key_presses) {
    // The key is down for exactly this frame, as if typed, so shortcuts run for real.
    if (press.frame == frame) {
      io.KeysDown[press.key] = true;
      io.KeyCtrl = press.ctrl;
    } else if (press.frame + 1 == frame) {
      io.KeysDown[press.key] = false;
      io.KeyCtrl = false;
    }
  }
  for (const WindowOptions::TextFile& f : options.text_files) {
    if (f.frame != frame) continue;
    try {
      choose_text_file(state.train, f.path);
    } catch (const std::exception& e) {
      state.status = e.what();
      state.status_is_error = true;
      std::fprintf(stderr, "attnlab: %s\n", e.what());
    }
  }
}

void TestHooks::after_render(int frame, Requests& requests, GLFWwindow* window) const {
  for (const WindowOptions::Pick& pick : m_options.picks)
    if (pick.frame == frame) {
      if (pick.model.empty())
        requests.close_model = true;
      else
        requests.open_model_path = pick.model;
    }
  // --screenshot: a test artifact of the last frame, saved quietly (F12's is reported in the
  // status bar).
  const bool last = m_options.frames > 0 && frame + 1 >= m_options.frames;
  if (!last || m_options.screenshot_path.empty()) return;
  try {
    int w = 0, h = 0;
    glfwGetFramebufferSize(window, &w, &h);
    write_framebuffer_png(m_options.screenshot_path, w, h);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnlab: --screenshot: %s\n", e.what());
  }
}

}  // namespace app::gui
