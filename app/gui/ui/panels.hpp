// The window's panels. Each draws into the current ImGui window and edits AppState through ctx;
// what it cannot do within the frame (open or save a file, export, open a model, Continue) it asks
// for in ctx.requests, which the app runs after the frame. What a panel may call:
// - ImGui, and the widgets of widgets.hpp, which record themselves for --layout (a panel passes
//   ctx.layout on and never writes the record itself);
// - ctx.renderer to draw a heatmap from the textures the app uploaded, never GL itself;
// - from the engine and core, only pure functions of what is shown: explain_query on ctx.shown,
//   token text, detector and task names, a task's defaults;
// never the model's recompute, the model host or the training worker (Train mode's panels post
// TrainCommands through TrainContext, train_panels.hpp).
#pragma once
#include <imgui.h>

#include "engine/explain.hpp"
#include "gui/ui/grid_plan.hpp"
#include "gui/ui/ui_context.hpp"

namespace app::gui {

void draw_menu_bar(UiContext& ctx, bool presentation);
void draw_controls_panel(UiContext& ctx);
// Before the recompute: edits `text`; marks the hovered token when ctx.shown is of shown_text.
void draw_text_box(UiContext& ctx, std::string& text, const std::string& shown_text, const char* hint);
void draw_token_chips(UiContext& ctx);  // after the recompute: shows the new tokens
// Explore's line under the chips: what the weights are ("random weights: the patterns show the
// mechanism, not meaning"), and the lesson's name; a lesson's teacher's note when it opens.
void draw_explore_caption(UiContext& ctx);
// Returns the height it used (a grid of few heads needs less than it is offered).
float draw_head_grid(UiContext& ctx, ImVec2 size);
// Above a grid of heads: page buttons and "heads 1-4 of 8 · PgDn for more" when it pages (PgUp /
// PgDn turn the page), and how to see the token labels when they are left out. `width`: the
// line's length from the cursor.
void draw_pages_line(UiContext& ctx, const GridPlan& plan, int total, bool labels_hidden, float width);
void draw_qkv_panel(UiContext& ctx, ImVec2 size, int head);  // Q, K, V and output of one head
// `lead` (Train mode's answer when its line has no room) comes first in the numbers' part.
void draw_status_bar(UiContext& ctx, double frame_ms, const std::string& lead = std::string());
// One query's attention step by step (state.step), on ctx.shown; `projection` is W_O of its layer.
void draw_step_through(UiContext& ctx, const attn::OutProjection& projection, ImVec2 size);
void draw_help_window(UiContext& ctx);
// An opened model's every layer and head as thumbnails (ctx.hosted's result, each layer's textures
// in its own renderer layer); a click opens that head.
void draw_model_overview(UiContext& ctx, ImVec2 size);
// Which heads matter for the sentence (ctx.hosted's importance map, filled in as it is measured);
// a click knocks a head out or restores it (state.hosted_knocked_out).
void draw_head_importance(UiContext& ctx, ImVec2 size);

// The sequential colormap chosen for attention weights, and the range of head h.
struct AttentionColors {
  Colormap map;
  float low, high;
};
AttentionColors attention_colors(const UiContext& ctx, int head);

}  // namespace app::gui
