// Move-only owners of GL object names, so every texture, program and vertex array is deleted
// exactly once, on the thread and context that made it.
#pragma once
#include <string>
#include <utility>

#include "gui/gfx/gl.hpp"

namespace app::gfx {

template <void (*Delete)(GLuint)>
class GlName {
 public:
  GlName() = default;
  explicit GlName(GLuint name) : m_name(name) {}
  ~GlName() { reset(); }
  GlName(GlName&& o) noexcept : m_name(std::exchange(o.m_name, 0)) {}
  GlName& operator=(GlName&& o) noexcept {
    if (this != &o) {
      reset();
      m_name = std::exchange(o.m_name, 0);
    }
    return *this;
  }
  GlName(const GlName&) = delete;
  GlName& operator=(const GlName&) = delete;

  GLuint get() const { return m_name; }
  explicit operator bool() const { return m_name != 0; }
  void reset() {
    if (m_name) Delete(m_name);
    m_name = 0;
  }

 private:
  GLuint m_name = 0;
};

namespace detail {
inline void delete_texture(GLuint n) { glDeleteTextures(1, &n); }
inline void delete_vertex_array(GLuint n) { glDeleteVertexArrays(1, &n); }
inline void delete_program(GLuint n) { glDeleteProgram(n); }
inline void delete_shader(GLuint n) { glDeleteShader(n); }
}  // namespace detail

using Texture = GlName<detail::delete_texture>;
using VertexArray = GlName<detail::delete_vertex_array>;
using Program = GlName<detail::delete_program>;
using Shader = GlName<detail::delete_shader>;

Texture make_texture();
VertexArray make_vertex_array();

// Compiles and links the embedded shaders `vert_name` and `frag_name`. On failure returns an
// empty Program and puts the GL info log (with the file name) into `error`.
Program build_program(const char* vert_name, const char* frag_name, std::string& error);

}  // namespace app::gfx
