// What every panel gets each frame: the state it may edit, read-only model data, and a place to
// ask the app for actions (export, screenshot, files) that run after the frame.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/app_state.hpp"
#include "core/live_model.hpp"
#include "core/model_host.hpp"
#include "engine/explain.hpp"
#include "export/export.hpp"
#include "export/opened_model_figures.hpp"
#include "gui/gfx/heatmap_renderer.hpp"
#include "gui/layer_ranges.hpp"
#include "gui/theme.hpp"
#include "gui/ui/layout_record.hpp"

namespace app::gui {

struct ExportChoice {
  ExportKind what = ExportKind::Grid;
  int head = 0;  // 0-based
  ExportFormat format = ExportFormat::Png;
  int layer = 0;  // Train mode: the model layer (the explorer has one)
  int query = 0;  // Step: the query token
  // Explore with an opened model: one of its figures (every layer), instead of `what` of a layer.
  std::optional<ModelFigure> model_figure = std::nullopt;
};

// Train mode's figures: the model view, the curves, or the run as an animated GIF.
struct TrainExport {
  enum class What { ModelView, Curves, Movie } what = What::ModelView;
  ExportFormat format = ExportFormat::Png;  // Movie: always GIF
};

struct Requests {
  bool screenshot = false;
  bool toggle_fullscreen = false;
  bool quit = false;
  bool open_session = false;  // opens the path prompt
  bool save_session = false;
  bool choose_export_dir = false;
  bool open_model = false;  // Train mode: the path prompt for a checkpoint
  bool save_model = false;
  bool save_hf_folder = false;    // Train mode: the path prompt for a Hugging Face GPT-2 folder
  bool choose_text_file = false;  // Train mode: the path prompt for a text file to train on
  bool close_model = false;       // Explore: forget the opened model, back to random weights
  bool continue_text = false;     // Explore: append the opened model's next token (state.sampling)
  // Explore's model picker: a model to open there (a path, or kTrainedModelPath for Train mode's).
  std::string open_model_path;
  std::string lesson;  // a lesson model to open (lesson_names())
  std::optional<ExportChoice> export_choice;
  std::optional<TrainExport> train_export;
  // What the mouse is over this frame; the app makes it the state of the next frame.
  int hover_token = -1, hover_query = -1, hover_key = -1;
};

struct UiContext {
  AppState& state;
  const LiveModel& model;                           // the explorer
  const attn::LayerView* shown;                     // what the head views draw: the explorer's one layer, or one
                                                    // layer of a trained or opened model; null when there is none
  int layer;                                        // the renderer's layer holding `shown` (the explorer: 0)
  const LayerRanges& view;                          // ranges and labels of `shown`
  const std::vector<bool>* unknown = nullptr;       // Train mode: words not in the vocabulary
  const std::vector<attn::Token>* typed = nullptr;  // Train mode: the words as typed
  gfx::HeatmapRenderer& renderer;
  const Palette& colors;
  float scale;
  Requests& requests;
  LayoutRecord& layout;  // where the widgets (widgets.hpp) record themselves for --layout
  // Explore with an opened model (state.model_path): the host's state this frame; else null.
  const ModelHostState* hosted = nullptr;
  // Its result's ranges and labels, one view per layer (the overview reads every layer's).
  const std::vector<LayerRanges>* hosted_views = nullptr;
  // Explore's model picker: why Train mode's model cannot be read here ("" when it can), and its
  // training step.
  std::string trained_model_problem = "Train mode has no model yet";
  long long trained_step = 0;
  // W_O of the layer `shown` is of, for the step-through; empty before there is a model.
  attn::OutProjection projection{};

  // A token is under the mouse (chip or axis label): mark it now and in the next frame.
  void hover_token(int index) {
    state.hovered_token = index;
    requests.hover_token = index;
  }
  void hover_cell(int query, int key) {
    state.hovered_query = requests.hover_query = query;
    state.hovered_key = requests.hover_key = key;
  }
};

}  // namespace app::gui
