// PNG encoding of an RGBA8 image (stb_image_write), for figures and screenshots.
#pragma once
#include <string>

namespace app {

// Encodes width x height RGBA8 pixels, rows top to bottom. Throws std::runtime_error on failure.
std::string encode_png_rgba(const unsigned char* rgba, int width, int height);

}  // namespace app
