// Train mode's panels: the model's controls, the layers x heads model view, the curves and the
// timeline. Like every panel (panels.hpp says what they may call) they edit AppState
// (state.train); they ask the trainer for work by appending TrainCommands to
// TrainContext::commands (posted after the frame) and the app for files through ctx.requests. The
// TrainHost itself is the App's (train_controller.cpp); the panels read its progress only. The
// task list checks that the English corpus is there when it is chosen, so a missing one is a
// message at once.
#pragma once
#include <imgui.h>

#include <string>
#include <vector>

#include "core/train_host.hpp"
#include "core/train_model_view.hpp"
#include "gui/layer_ranges.hpp"
#include "gui/ui/ui_context.hpp"

namespace app::gui {

// What Train mode's panels read: the newest progress and the model view built from it.
struct TrainContext {
  const TrainProgress* progress;  // null until the first model exists
  const TrainModelView& model_view;
  const std::vector<LayerRanges>& layer_views;  // one per layer of model_view.run()
  std::vector<TrainCommand>& commands;          // posted to the trainer after the frame
};

// "Explore | Train" at the top of the controls.
void draw_mode_switch(UiContext& ctx);
void draw_train_controls(UiContext& ctx, TrainContext& train);
// The "discard training?" question when a change would need new weights.
void draw_reset_confirmation(UiContext& ctx, TrainContext& train);
// Layers x heads heatmaps; click enlarges a head (with its Q/K/V), right-click knocks it out.
void draw_model_view(UiContext& ctx, TrainContext& train, ImVec2 size);
// The model's answer: the five most likely next tokens after the last token of the example (or
// the hovered one) as bars, and with heads knocked out the answer and the loss before -> after.
void draw_predictions(UiContext& ctx, const TrainModelView& view, const std::vector<std::string>& vocab,
                      const TrainProgress& progress);
// The same for any run: `intact` (may be null) is the run with no head knocked out, shown as
// "before", with the held-out loss before -> after when `progress` (Train mode) is given; `vocab`
// holds what each id stands for. An opened model's line ends with Continue.
void draw_predictions(UiContext& ctx, const ModelRun& run, const ModelRun* intact,
                      const std::vector<std::string>& vocab, const TrainProgress* progress = nullptr);
// The same answer as a few words for the status bar ("next: animal 100%, fox <1%"), or "".
std::string answer_summary(const TrainModelView& view, const std::vector<std::string>& vocab, const AppState& state);
std::string answer_summary(const ModelRun& run, const std::vector<std::string>& vocab, const AppState& state);
// Loss, accuracy and the detectors' scores over the steps, and the timeline slider under them.
void draw_curves_and_timeline(UiContext& ctx, TrainContext& train, ImVec2 size);

}  // namespace app::gui
