// The window's entry point (`attnlab` with no sub-command, and `attnlab bench-ui`).
#pragma once

namespace app::gui {

int window_main(int argc, char** argv);

}  // namespace app::gui
