// libpng reports errors through a callback that must not return: it throws, and the destructor
// releases libpng's state (the amd64 ABI unwinds through C frames).
#include "export/png_encode.hpp"

#include <png.h>

#include <cstddef>
#include <stdexcept>

namespace app {

namespace {

[[noreturn]] void throw_png_error(png_structp, png_const_charp message) {
  throw std::runtime_error(std::string("PNG encoding failed: ") + message);
}

void ignore_warning(png_structp, png_const_charp) {}

void append_to_string(png_structp png, png_bytep data, std::size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), length);
}

}  // namespace

struct PngWriter::Impl {
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::string out;
  int rows_left = 0;
};

PngWriter::PngWriter(int width, int height, Channels channels) : m(std::make_unique<Impl>()) {
  if (width <= 0 || height <= 0) throw std::runtime_error("PNG encoding failed: the image is empty");
  m->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, throw_png_error, ignore_warning);
  if (!m->png) throw std::runtime_error("PNG encoding failed: out of memory");
  m->info = png_create_info_struct(m->png);
  if (!m->info) throw std::runtime_error("PNG encoding failed: out of memory");
  png_set_write_fn(m->png, &m->out, append_to_string, nullptr);
  // Figures are flat color: the Sub filter with fast deflate makes files as small as the default
  // settings in a fraction of the time.
  png_set_filter(m->png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(m->png, 3);
  png_set_IHDR(m->png, m->info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               channels == Channels::Rgba ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info(m->png, m->info);
  m->rows_left = height;
}

PngWriter::~PngWriter() {
  if (m->png) png_destroy_write_struct(&m->png, m->info ? &m->info : nullptr);
}

void PngWriter::write_row(const unsigned char* row) {
  if (m->rows_left <= 0) throw std::logic_error("PngWriter: more rows than the image has");
  png_write_row(m->png, row);
  --m->rows_left;
}

std::string PngWriter::finish() {
  if (m->rows_left != 0) throw std::logic_error("PngWriter: rows missing");
  png_write_end(m->png, nullptr);
  return std::move(m->out);
}

std::string encode_png_rgba(const unsigned char* rgba, int width, int height) {
  PngWriter png(width, height, PngWriter::Channels::Rgba);
  for (int y = 0; y < height; ++y)
    png.write_row(rgba + static_cast<std::size_t>(y) * static_cast<std::size_t>(width) * 4);
  return png.finish();
}

}  // namespace app
