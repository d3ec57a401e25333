// Back buffer -> PNG. GL rows start at the bottom, PNG rows at the top, hence the flip.
#include "gui/screenshot.hpp"

#include <algorithm>
#include <vector>

#include "engine/npy.hpp"
#include "export/png_encode.hpp"
#include "gui/gfx/gl.hpp"

namespace app::gui {

void write_framebuffer_png(const std::string& path, int width, int height) {
  const std::size_t w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
  std::vector<unsigned char> bottom_up(w * h * 4), top_down(w * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
  for (std::size_t y = 0; y < h; ++y) std::copy_n(&bottom_up[(h - 1 - y) * w * 4], w * 4, &top_down[y * w * 4]);
  for (std::size_t i = 3; i < top_down.size(); i += 4) top_down[i] = 255;  // the window is opaque
  attn::write_file_atomic(path, encode_png_rgba(top_down.data(), width, height));
}

}  // namespace app::gui
