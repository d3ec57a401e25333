#version 330 core
// value -> range -> colormap lookup -> pixel, plus grid lines and the hovered row/column outline.
// The index rounding int(t * 255 + 0.5) matches app::colormap_index on the CPU, so the window and
// the exported figures give a value the same color.
in vec2 v_uv;
out vec4 o_color;

uniform sampler2DArray t_values;  // R32F, width = columns, height = rows, one layer per head
uniform sampler2D t_colormaps;    // 256 x N RGBA8, one colormap per row
uniform int u_layer;
uniform int u_colormapRow;
uniform ivec2 u_size;             // (columns, rows) of the matrix
uniform float u_rangeLow;
uniform float u_rangeHigh;
uniform vec2 u_cellPixels;        // on-screen size of one cell, for grid lines and outlines
uniform int u_highlightRow;       // -1: none
uniform int u_highlightCol;       // -1: none
uniform vec4 u_gridColor;
uniform vec4 u_highlightColor;
uniform vec3 u_nonFiniteColor;

void main() {
  vec2 cellPos = v_uv * vec2(u_size);
  ivec2 cell = clamp(ivec2(floor(cellPos)), ivec2(0), u_size - ivec2(1));
  float v = texelFetch(t_values, ivec3(cell, u_layer), 0).r;

  vec3 color;
  if (isnan(v) || isinf(v)) {
    color = u_nonFiniteColor;
  } else {
    float span = u_rangeHigh - u_rangeLow;
    float t = span > 0.0 ? (v - u_rangeLow) / span : 0.5;
    int index = int(clamp(t, 0.0, 1.0) * 255.0 + 0.5);
    color = texelFetch(t_colormaps, ivec2(index, u_colormapRow), 0).rgb;
  }

  // Distance in pixels from this fragment to the edges of its cell.
  vec2 inCell = (cellPos - vec2(cell)) * u_cellPixels;
  vec2 toFar = u_cellPixels - inCell;

  // Thin grid lines only when cells are big enough that they help rather than cover.
  if (u_cellPixels.x >= 10.0 && u_cellPixels.y >= 10.0 && (inCell.x < 1.0 || inCell.y < 1.0))
    color = mix(color, u_gridColor.rgb, u_gridColor.a);

  // The hovered token: an outline band along its row and column, leaving cell centres untouched.
  float band = clamp(min(u_cellPixels.x, u_cellPixels.y) * 0.18, 1.0, 3.0);
  bool rowEdge = cell.y == u_highlightRow && (inCell.y < band || toFar.y < band);
  bool colEdge = cell.x == u_highlightCol && (inCell.x < band || toFar.x < band);
  if (rowEdge || colEdge) color = mix(color, u_highlightColor.rgb, u_highlightColor.a);

  o_color = vec4(color, 1.0);
}
