// Draws a layer's per-head tensors as heatmaps on the GPU: each model layer's tensors of heads
// (every tensor-catalog row whose first axis is the heads) live in R32F texture arrays (one array
// layer per head), keyed by (model layer, tensor, head), and the fragment
// shader maps value -> range -> colormap. Heatmaps are
// queued into ImGui draw lists as callbacks so they sit in the right place in the UI's draw order.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <imgui.h>

#include "core/colormap.hpp"
#include "core/tensor_catalog.hpp"
#include "engine/model/sequence_run.hpp"
#include "gui/gfx/gl_objects.hpp"

namespace app::gfx {

struct HeatmapStyle {
  Colormap colormap = Colormap::Viridis;
  float range_low = 0.0f;
  float range_high = 1.0f;
  int highlight_row = -1;
  int highlight_col = -1;
  ImVec4 grid_color{0.0f, 0.0f, 0.0f, 0.25f};       // rgb + mix amount
  ImVec4 highlight_color{1.0f, 0.25f, 0.2f, 1.0f};  // rgb + mix amount
};

class HeatmapRenderer {
 public:
  // Compiles the shaders and uploads the colormap tables. Returns false with `error` set (the
  // GL info log) when the GPU cannot run them.
  bool init(std::string& error);

  // Uploads every tensor of heads of `shown` as model layer `layer` (the explorer has only layer
  // 0), each head from where the forward left it (the catalog's head matrix), making that layer's
  // textures the first time; call only when that layer's numbers changed.
  void upload(const attn::LayerView& shown, int layer = 0);
  std::uint64_t uploads() const { return m_uploads; }

  // Queues one heatmap of (layer, tensor, head) into `draw_list`, filling [min, max]. A tensor
  // that is not of heads draws nothing.
  void draw(ImDrawList* draw_list, ImVec2 min, ImVec2 max, TensorId matrix, int head, const HeatmapStyle& style,
            int layer = 0);

  // Forgets the draw requests of the previous frame. Call once per frame before any draw().
  void begin_frame() { m_requests.clear(); }

 private:
  struct Request {
    HeatmapRenderer* self;
    ImVec2 min, max;
    GLuint texture;
    int layer, cols, rows;
    HeatmapStyle style;
  };
  static void execute(const ImDrawList* list, const ImDrawCmd* cmd);
  void render(const Request& request, const ImDrawCmd* cmd) const;

  struct Slot {
    Texture texture;
    int cols = 0, rows = 0, layers = 0;
  };
  using LayerSlots = std::array<Slot, kTensorCount>;  // by TensorId; only tensors of heads are filled
  // One set of textures per model layer uploaded so far: as many as the model shown has (the
  // explorer and an opened model use layer 0 only; Train mode one per layer).
  std::vector<LayerSlots> m_slots;
  Texture m_colormaps;
  VertexArray m_vao;
  Program m_program;
  GLint m_u_layer = -1, m_u_colormap_row = -1, m_u_size = -1, m_u_range_low = -1, m_u_range_high = -1,
        m_u_cell_pixels = -1, m_u_highlight_row = -1, m_u_highlight_col = -1, m_u_grid_color = -1,
        m_u_highlight_color = -1, m_u_non_finite = -1, m_t_values = -1, m_t_colormaps = -1;
  std::deque<Request> m_requests;  // a deque keeps addresses stable for the callbacks
  std::uint64_t m_uploads = 0;
};

}  // namespace app::gfx
