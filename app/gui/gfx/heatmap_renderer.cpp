// Texture upload and the ImGui draw callback that runs the heatmap shader in a rectangle.
#include "gui/gfx/heatmap_renderer.hpp"

#include <algorithm>
#include <vector>

namespace app::gfx {

namespace {

// Makes the texture array (cols x rows x heads) and uploads each head's matrix from where the
// forward left it: rows `stride` floats apart (GL_UNPACK_ROW_LENGTH), so nothing is copied first.
void upload_heads(GLuint texture, const TensorRow& row, const attn::LayerView& shown, int cols, int rows, int heads) {
  glBindTexture(GL_TEXTURE_2D_ARRAY, texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage3D(GL_TEXTURE_2D_ARRAY, 0, GL_R32F, cols, rows, heads, 0, GL_RED, GL_FLOAT, nullptr);
  for (int h = 0; h < heads; ++h) {
    const HeadMatrix m = row.head(shown, static_cast<std::size_t>(h));
    glPixelStorei(GL_UNPACK_ROW_LENGTH, static_cast<GLint>(m.stride));
    glTexSubImage3D(GL_TEXTURE_2D_ARRAY, 0, 0, 0, h, cols, rows, 1, GL_RED, GL_FLOAT, m.first);
  }
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindTexture(GL_TEXTURE_2D_ARRAY, 0);
}

}  // namespace

bool HeatmapRenderer::init(std::string& error) {
  m_program = build_program("heatmap.vert", "heatmap.frag", error);
  if (!m_program) return false;
  const GLuint p = m_program.get();
  m_u_layer = glGetUniformLocation(p, "u_layer");
  m_u_colormap_row = glGetUniformLocation(p, "u_colormapRow");
  m_u_size = glGetUniformLocation(p, "u_size");
  m_u_range_low = glGetUniformLocation(p, "u_rangeLow");
  m_u_range_high = glGetUniformLocation(p, "u_rangeHigh");
  m_u_cell_pixels = glGetUniformLocation(p, "u_cellPixels");
  m_u_highlight_row = glGetUniformLocation(p, "u_highlightRow");
  m_u_highlight_col = glGetUniformLocation(p, "u_highlightCol");
  m_u_grid_color = glGetUniformLocation(p, "u_gridColor");
  m_u_highlight_color = glGetUniformLocation(p, "u_highlightColor");
  m_u_non_finite = glGetUniformLocation(p, "u_nonFiniteColor");
  m_t_values = glGetUniformLocation(p, "t_values");
  m_t_colormaps = glGetUniformLocation(p, "t_colormaps");
  m_vao = make_vertex_array();

  // Every colormap of the table as one row of a 256-wide RGBA8 texture, fetched with texelFetch
  // (no filtering); a map's row is its index in colormap_table().
  std::vector<unsigned char> rgba(256 * kColormapCount * 4);
  for (std::size_t row = 0; row < kColormapCount; ++row) {
    const auto& lut = *colormap_table()[row].lut;
    for (std::size_t i = 0; i < 256; ++i) {
      unsigned char* px = &rgba[(row * 256 + i) * 4];
      px[0] = lut[i].r;
      px[1] = lut[i].g;
      px[2] = lut[i].b;
      px[3] = 255;
    }
  }
  m_colormaps = make_texture();
  glBindTexture(GL_TEXTURE_2D, m_colormaps.get());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, static_cast<GLsizei>(kColormapCount), 0, GL_RGBA, GL_UNSIGNED_BYTE,
               rgba.data());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindTexture(GL_TEXTURE_2D, 0);
  return true;
}

void HeatmapRenderer::upload(const attn::LayerView& shown, int layer) {
  if (layer < 0) return;
  const std::size_t l = static_cast<std::size_t>(layer);
  while (m_slots.size() <= l) {
    m_slots.emplace_back();
    for (Slot& slot : m_slots.back()) slot.texture = make_texture();
  }
  for (const TensorRow& row : tensor_catalog()) {
    if (!row.head) continue;  // not a tensor of heads
    const HeadMatrix first = row.head(shown, 0);
    Slot& slot = m_slots[l][static_cast<std::size_t>(row.id)];
    slot.layers = shown.config.n_heads;
    slot.rows = static_cast<int>(first.rows);
    slot.cols = static_cast<int>(first.cols);
    if (slot.rows == 0 || slot.cols == 0) continue;  // nothing to draw; the panels show a message instead
    upload_heads(slot.texture.get(), row, shown, slot.cols, slot.rows, slot.layers);
  }
  ++m_uploads;
}

void HeatmapRenderer::draw(ImDrawList* draw_list, ImVec2 min, ImVec2 max, TensorId matrix, int head,
                           const HeatmapStyle& style, int layer) {
  if (layer < 0 || static_cast<std::size_t>(layer) >= m_slots.size()) return;
  const Slot& slot = m_slots[static_cast<std::size_t>(layer)][static_cast<std::size_t>(matrix)];
  if (!m_program || slot.cols <= 0 || slot.rows <= 0 || head < 0 || head >= slot.layers) return;
  m_requests.push_back({this, min, max, slot.texture.get(), head, slot.cols, slot.rows, style});
  draw_list->AddCallback(&HeatmapRenderer::execute, &m_requests.back());
  // Hand the GL state back to the ImGui backend for the widgets drawn after us.
  draw_list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void HeatmapRenderer::execute(const ImDrawList*, const ImDrawCmd* cmd) {
  const auto* request = static_cast<const Request*>(cmd->UserCallbackData);
  request->self->render(*request, cmd);
}

void HeatmapRenderer::render(const Request& r, const ImDrawCmd* cmd) const {
  const ImDrawData* dd = ImGui::GetDrawData();
  const ImVec2 scale = dd->FramebufferScale;
  const float fb_height = dd->DisplaySize.y * scale.y;
  const auto to_fb_x = [&](float x) { return (x - dd->DisplayPos.x) * scale.x; };
  const auto to_fb_y = [&](float y) { return (y - dd->DisplayPos.y) * scale.y; };

  // The heatmap rectangle and ImGui's clip rectangle, in framebuffer pixels (origin bottom-left).
  const float x0 = to_fb_x(r.min.x), x1 = to_fb_x(r.max.x);
  const float y0 = to_fb_y(r.min.y), y1 = to_fb_y(r.max.y);
  const float cx0 = std::max(to_fb_x(cmd->ClipRect.x), 0.0f), cy0 = std::max(to_fb_y(cmd->ClipRect.y), 0.0f);
  const float cx1 = to_fb_x(cmd->ClipRect.z), cy1 = to_fb_y(cmd->ClipRect.w);
  if (cx1 <= cx0 || cy1 <= cy0 || x1 <= x0 || y1 <= y0) return;
  glViewport(static_cast<GLint>(x0), static_cast<GLint>(fb_height - y1), static_cast<GLsizei>(x1 - x0),
             static_cast<GLsizei>(y1 - y0));
  glEnable(GL_SCISSOR_TEST);
  glScissor(static_cast<GLint>(cx0), static_cast<GLint>(fb_height - cy1), static_cast<GLsizei>(cx1 - cx0),
            static_cast<GLsizei>(cy1 - cy0));
  glDisable(GL_BLEND);

  glUseProgram(m_program.get());
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D_ARRAY, r.texture);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, m_colormaps.get());
  glUniform1i(m_t_values, 0);
  glUniform1i(m_t_colormaps, 1);
  glUniform1i(m_u_layer, r.layer);
  glUniform1i(m_u_colormap_row, static_cast<GLint>(colormap_row(r.style.colormap)));
  glUniform2i(m_u_size, r.cols, r.rows);
  glUniform1f(m_u_range_low, r.style.range_low);
  glUniform1f(m_u_range_high, r.style.range_high);
  glUniform2f(m_u_cell_pixels, (x1 - x0) / static_cast<float>(r.cols), (y1 - y0) / static_cast<float>(r.rows));
  glUniform1i(m_u_highlight_row, r.style.highlight_row);
  glUniform1i(m_u_highlight_col, r.style.highlight_col);
  const ImVec4& g = r.style.grid_color;
  const ImVec4& h = r.style.highlight_color;
  glUniform4f(m_u_grid_color, g.x, g.y, g.z, g.w);
  glUniform4f(m_u_highlight_color, h.x, h.y, h.z, h.w);
  const Rgb8 nf = kNonFiniteColor;
  glUniform3f(m_u_non_finite, nf.r / 255.0f, nf.g / 255.0f, nf.b / 255.0f);
  glBindVertexArray(m_vao.get());
  glDrawArrays(GL_TRIANGLES, 0, 6);
  glActiveTexture(GL_TEXTURE0);
}

}  // namespace app::gfx
