// The one state struct of the window: everything a person can change. Panels edit it; the
// recompute and the renderer read it. Plain data, no GL, so its logic is testable headless.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "core/model_input.hpp"
#include "core/themes.hpp"
#include "core/train_state.hpp"
#include "engine/model/predict.hpp"

namespace app {

enum class RangeMode { PerHead, Fixed01 };  // color range of attention heatmaps
// What a head view draws: the weights, the raw scores before softmax (diverging, centred on 0),
// or the weights as lines between the tokens (BertViz's head view).
enum class HeadView { Weights, Scores, Lines };

// Settings that change how things look, never what is computed.
struct ViewSettings {
  Theme theme = Theme::Dark;
  float ui_scale = 0.0f;                  // 0: follow the monitor's content scale
  Colormap colormap = Colormap::Viridis;  // for attention weights (Q/K/V use the diverging map)
  RangeMode range = RangeMode::PerHead;
  bool show_qkv = true;     // the Q/K/V panel under the heads
  bool show_values = true;  // numbers inside cells when they fit
  HeadView head_view = HeadView::Weights;
  bool operator==(const ViewSettings& o) const {
    return theme == o.theme && ui_scale == o.ui_scale && colormap == o.colormap && range == o.range &&
           show_qkv == o.show_qkv && show_values == o.show_values && head_view == o.head_view;
  }
};

inline constexpr float kMinUiScale = 0.75f;
inline constexpr float kMaxUiScale = 3.0f;
inline constexpr int kMaxUiHeads = 16;
inline constexpr int kMinUiDModel = 4;
inline constexpr int kMaxUiDModel = 512;

// The step-through of one query's attention (both modes): which head, query and step.
struct StepThrough {
  bool open = false;
  int layer = 0, head = 0, query = 0;
  int key = -1;  // the clicked cell's key, marked in the bars (-1: the largest weight)
  int step = 1;  // 1..8, the step shown; all_steps shows every one
  bool all_steps = false;
  bool scale_by_sqrt_d = true;
  float temperature = 0.0f;  // 0: the model's own
  bool mask_off = false;
};

inline constexpr std::size_t kMaxRecentModels = 8;

struct AppState {
  Mode mode = Mode::Explore;  // Explore: any sentence, random weights; Train: a model that learns
  ModelInput input;           // what the person set: sentence, tokenizer, config, weights file
  // Explore's model: empty for random weights (`input` decides them), else the Hugging Face folder
  // or text-trained checkpoint opened, or kTrainedModelPath (core/model_host.hpp); the model host
  // computes it and `input.text` is its sentence. Then its layer shown.
  std::string model_path;
  // The models opened before, newest first (the picker lists them; at most kMaxRecentModels).
  std::vector<std::string> recent_models;
  int model_layer = 0;
  bool model_overview = false;                   // every layer and head at once, instead of one layer's heads
  bool model_importance = false;                 // which heads matter for this sentence, instead of the heads
  std::vector<std::uint8_t> hosted_knocked_out;  // (n_layers * n_heads) of the opened model, or empty
  attn::Sampling sampling;                       // how Continue picks the next token of an opened model
  TrainState train;  // Train mode: the model's choices, example, knock-outs, timeline cursor
  StepThrough step;  // the step-through panel, opened by clicking a heatmap cell
  ViewSettings view;
  int selected_head = 0;       // the head shown in the Q/K/V view
  int enlarged_head = -1;      // a head shown alone (clicked), or -1 for the grid
  int head_page = 0;           // the page of heads shown when they do not all fit readably
  bool presentation = false;   // F11: the picture gets the screen, the controls fold away
  bool controls_open = false;  // the controls drawer, when they are folded away (F10)
  int hovered_token = -1;      // token under the mouse (chip, row or column label), -1 for none
  int hovered_query = -1;      // cell under the mouse in any heatmap: query row ...
  int hovered_key = -1;        // ... and key column
  bool fullscreen = false;
  bool show_help = false;
  std::string export_dir;  // where exports go; empty: the default (XDG pictures, else cwd)
  std::string lesson;      // the session file opened last, by name ("01-pronoun"), for Explore's line
  std::string note;        // its teacher's note ("note" in the file), empty when it has none
  bool note_open = false;  // the note is shown: set when a session with a note opens
  std::string status;      // the status bar's last message
  bool status_is_error = false;
};

// The state the window starts with when nothing is saved.
AppState default_state();

// Keeps selection and enlargement valid after the head count changed.
void clamp_head_selection(AppState& state, int n_heads);

// The head count a slider moving from `from` to `to` should land on when d_head follows
// d_model / heads: the nearest count in [1, max_heads] that divides d_model, first in the
// direction it moved, else the other way. d_model 64: 3 -> 4 going up, 3 -> 2 going down.
int heads_dividing(int d_model, int from, int to, int max_heads);

}  // namespace app
