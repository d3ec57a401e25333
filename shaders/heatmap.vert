#version 330 core
// One quad covering the viewport the renderer set to the heatmap's rectangle. No vertex buffer:
// the corners come from gl_VertexID.
out vec2 v_uv;  // (0,0) at the top-left cell, (1,1) at the bottom-right

void main() {
  const vec2 corners[6] = vec2[6](vec2(0.0, 0.0), vec2(1.0, 0.0), vec2(0.0, 1.0),
                                  vec2(0.0, 1.0), vec2(1.0, 0.0), vec2(1.0, 1.0));
  vec2 c = corners[gl_VertexID];
  v_uv = vec2(c.x, 1.0 - c.y);
  gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
}
