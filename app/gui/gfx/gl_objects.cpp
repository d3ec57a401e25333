// Creation of GL objects and shader compilation with readable errors.
#include "gui/gfx/gl_objects.hpp"

#include <vector>

#include "gui/gfx/embedded_shaders.hpp"

namespace app::gfx {

Texture make_texture() {
  GLuint n = 0;
  glGenTextures(1, &n);
  return Texture(n);
}

VertexArray make_vertex_array() {
  GLuint n = 0;
  glGenVertexArrays(1, &n);
  return VertexArray(n);
}

namespace {

std::string info_log(GLuint object, bool is_program) {
  GLint length = 0;
  if (is_program)
    glGetProgramiv(object, GL_INFO_LOG_LENGTH, &length);
  else
    glGetShaderiv(object, GL_INFO_LOG_LENGTH, &length);
  std::vector<char> log(static_cast<std::size_t>(length > 1 ? length : 1), '\0');
  if (is_program)
    glGetProgramInfoLog(object, length, nullptr, log.data());
  else
    glGetShaderInfoLog(object, length, nullptr, log.data());
  return std::string(log.data());
}

Shader compile(GLenum type, const char* name, std::string& error) {
  const char* source = embedded_shader(name);
  if (!source) {
    error = std::string("shader ") + name + " is not embedded in this build";
    return Shader();
  }
  Shader shader(glCreateShader(type));
  glShaderSource(shader.get(), 1, &source, nullptr);
  glCompileShader(shader.get());
  GLint ok = GL_FALSE;
  glGetShaderiv(shader.get(), GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    error = std::string("compiling ") + name + " failed:\n" + info_log(shader.get(), false);
    return Shader();
  }
  return shader;
}

}  // namespace

Program build_program(const char* vert_name, const char* frag_name, std::string& error) {
  const Shader vert = compile(GL_VERTEX_SHADER, vert_name, error);
  if (!vert) return Program();
  const Shader frag = compile(GL_FRAGMENT_SHADER, frag_name, error);
  if (!frag) return Program();
  Program program(glCreateProgram());
  glAttachShader(program.get(), vert.get());
  glAttachShader(program.get(), frag.get());
  glLinkProgram(program.get());
  GLint ok = GL_FALSE;
  glGetProgramiv(program.get(), GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    error = std::string("linking ") + vert_name + " + " + frag_name + " failed:\n" + info_log(program.get(), true);
    return Program();
  }
  return program;
}

}  // namespace app::gfx
