// GLSL sources from shaders/, compiled into the binary so attnlab runs from any folder.
#pragma once

namespace app::gfx {

// The source of shaders/<name> (e.g. "heatmap.frag"), or nullptr when there is no such file.
const char* embedded_shader(const char* name);

}  // namespace app::gfx
