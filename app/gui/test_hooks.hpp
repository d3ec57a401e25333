// Scripted input for the GUI tests, figures and bench-ui (--hover-token, --click-cell, --key,
// --pick-model, --text-file FILE@N, --screenshot): the same events a person makes, injected at
// fixed frames so a run is reproducible. The frame loop calls the hooks object before
// ImGui::NewFrame and after ImGui renders; nothing else in the frame knows these flags.
#pragma once
#include "core/app_state.hpp"
#include "gui/ui/layout_record.hpp"
#include "gui/ui/ui_context.hpp"
#include "gui/window_options.hpp"

struct GLFWwindow;

namespace app::gui {

class TestHooks {
 public:
  // `options` must outlive the hooks (the App owns both).
  explicit TestHooks(const WindowOptions& options) : m_options(options) {}

  // Before NewFrame: the mouse (parked away in scripted runs, on a chip or a heatmap cell laid
  // out in the previous frame `last`), keys held for exactly their frame, and a text file chosen
  // as the task list would choose it (a bad one is the status bar's message).
  void before_new_frame(int frame, const LayoutRecord& last, GLFWwindow* window, AppState& state) const;

  // After the frame is rendered, before its requests run: the requests a picker item would make
  // in this frame, and on the last frame of a --frames run the --screenshot of the back buffer.
  void after_render(int frame, Requests& requests, GLFWwindow* window) const;

 private:
  const WindowOptions& m_options;
};

}  // namespace app::gui
