// PNG encoding with libpng, row by row into memory: a figure of any size is encoded from bands
// without ever holding the whole image, and the caller writes the file atomically.
#pragma once
#include <memory>
#include <string>

namespace app {

class PngWriter {
 public:
  enum class Channels { Rgb = 3, Rgba = 4 };
  // Throws std::runtime_error when libpng refuses the size (at most 2^31 - 1 pixels a side).
  PngWriter(int width, int height, Channels channels);
  ~PngWriter();
  PngWriter(const PngWriter&) = delete;
  PngWriter& operator=(const PngWriter&) = delete;

  // One row of width * channels bytes, top to bottom, straight alpha.
  void write_row(const unsigned char* row);
  // After the last row: the whole file.
  std::string finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

// Encodes width x height RGBA8 pixels, rows top to bottom. Throws std::runtime_error on failure.
std::string encode_png_rgba(const unsigned char* rgba, int width, int height);

}  // namespace app
