// stb_image_write into memory, so the caller writes the file atomically.
#include "export/png_encode.hpp"

#include <cstdlib>
#include <stdexcept>

// Exported by libstb (stb_image_write.h declares it only inside its implementation section).
extern "C" unsigned char* stbi_write_png_to_mem(const unsigned char* pixels, int stride_bytes, int x, int y,
                                                int n, int* out_len);

namespace app {

std::string encode_png_rgba(const unsigned char* rgba, int width, int height) {
  int length = 0;
  unsigned char* png = stbi_write_png_to_mem(rgba, width * 4, width, height, 4, &length);
  if (!png) throw std::runtime_error("PNG encoding failed");
  std::string bytes(reinterpret_cast<const char*>(png), static_cast<std::size_t>(length));
  std::free(png);  // stb allocates with malloc
  return bytes;
}

}  // namespace app
