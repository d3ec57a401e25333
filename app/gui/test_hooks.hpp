// Scripted input for the GUI tests, figures and bench-ui (--hover-token, --click-cell, --key,
// --pick-model): the same events a person makes, injected at fixed frames so a run is
// reproducible. The frame loop calls one function before ImGui::NewFrame and one after the UI is
// built; nothing else in the window knows these flags.
#pragma once
#include "gui/ui/layout_record.hpp"
#include "gui/ui/ui_context.hpp"
#include "gui/window_options.hpp"

struct GLFWwindow;

namespace app::gui {

// Before NewFrame: the mouse (parked away in scripted runs, on a chip or a heatmap cell laid out
// in the previous frame `last`) and keys held for exactly their frame.
void inject_test_input(const WindowOptions& options, int frame, const LayoutRecord& last, GLFWwindow* window);

// After the UI is built: the requests a picker item would make in this frame.
void inject_test_requests(const WindowOptions& options, int frame, Requests& requests);

}  // namespace app::gui
