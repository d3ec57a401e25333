// Saving exactly what is in the window's back buffer as a PNG.
#pragma once
#include <string>

namespace app::gui {

// Reads the current GL back buffer (width x height) and writes it to path as PNG, via a temporary
// file and a rename. Throws attn::FileError when it cannot write.
void write_framebuffer_png(const std::string& path, int width, int height);

}  // namespace app::gui
