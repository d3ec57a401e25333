// Scripted input: mouse, keys and picker choices at fixed frames.
#include "gui/test_hooks.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <cfloat>

namespace app::gui {

void inject_test_input(const WindowOptions& options, int frame, const LayoutRecord& last, GLFWwindow* window) {
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
}

void inject_test_requests(const WindowOptions& options, int frame, Requests& requests) {
  for (const WindowOptions::Pick& pick : options.picks)
    if (pick.frame == frame) {
      if (pick.model.empty())
        requests.close_model = true;
      else
        requests.open_model_path = pick.model;
    }
}

}  // namespace app::gui
