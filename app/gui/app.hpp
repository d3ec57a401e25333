// The window application: owns the one AppState, the live model and the GPU resources, and runs
// frames in the one direction data flows: panels edit state -> recompute -> upload -> draw.
// Its members are defined by job: the loop (app.cpp), what a frame builds (layouts.cpp), what it
// asked for (requests.cpp), Train mode's worker (train_controller.cpp), Explore's opened model
// (hosted_model.cpp), exports (export_actions.cpp), --layout (layout_file.cpp), bench-ui
// (bench_ui.cpp).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <vector>

#include "core/app_state.hpp"
#include "core/live_model.hpp"
#include "core/model_host.hpp"
#include "core/train_host.hpp"
#include "core/train_model_view.hpp"
#include "gui/font_atlas.hpp"
#include "gui/gfx/heatmap_renderer.hpp"
#include "gui/layer_ranges.hpp"
#include "gui/test_hooks.hpp"
#include "gui/ui/path_prompt.hpp"
#include "gui/ui/ui_context.hpp"
#include "gui/window_options.hpp"

struct GLFWwindow;

namespace app::gui {

// Time spent in each part of one frame, for bench-ui.
struct FrameTimes {
  double recompute_ms = 0.0, upload_ms = 0.0, total_ms = 0.0;
};

class App {
 public:
  // `model` may already hold the first run (computed while the window was being created).
  App(GLFWwindow* window, WindowOptions options, AppState state, LiveModel model);
  App(const App&) = delete;  // the test hooks hold a reference to m_options
  App& operator=(const App&) = delete;
  // GPU set-up; false with `error` when the shaders cannot run on this GPU.
  bool init(std::string& error);
  // Runs until the window closes (or --frames are done). Returns the exit code.
  int run();
  // bench-ui: drives the real window through a scripted session and prints frame times.
  int run_bench(std::chrono::steady_clock::time_point process_start);
  // bench-ui --model DIR: the opened model's load, then 40 keystrokes at 32 tokens: the time from
  // each to its attention on screen, and the frame times meanwhile (at up to 60 a second).
  int run_bench_model();
  // bench-ui --train: the reference model trains alone, then while frames are drawn at 60 Hz.
  int run_bench_train();
  // bench-ui --train --minutes M: the training soak, memory at the start, every minute and the end.
  int run_bench_train_soak(double minutes);
  // The model bench-ui measures: 64 tokens at the end, d_model 512, 16 heads of d_head 32.
  static ModelInput bench_input();

 private:
  FrameTimes frame();
  // layouts.cpp: the menu bar, the workspace of the mode, the status bar, the windows on top.
  void start_bench_training();  // bench-ui --train: the fresh model starts training, without end
  void build_ui(Requests& requests, FrameTimes& times);
  // Where the controls go this frame: a panel at the left, or folded into a drawer.
  struct Shell {
    float status_h = 0.0f, controls_w = 0.0f;
    bool folded = false;
  };
  Shell shell() const;
  // The height the heads need at least: one readable map carrying its token labels, with its
  // title and the line under it.
  // `small_labels`: an enlarged head, whose labels may be smaller than a grid's.
  float min_grid_height(const std::vector<std::string>& token_labels, float scale, bool small_labels) const;
  void begin_controls(UiContext& ctx, const Shell& shell);
  void end_controls(const Shell& shell);
  void drawer_button(UiContext& ctx, const Shell& shell);  // before the text box, when folded
  bool begin_drawer(UiContext& ctx, const Shell& shell);   // true: draw the controls, then End()
  void build_explore(UiContext& ctx, FrameTimes& times);
  // Below the chips: the heads (grid or enlarged), the answer line, then Q/K/V or the step-through
  // in the room the heads spare.
  void build_explore_heads(UiContext& view_ctx, ImVec2 avail, float grid_min, float answer_h, bool answers);
  void build_train(UiContext& ctx);
  // What the head views and exports use now: the explorer's one layer, Train mode's enlarged
  // layer, or an opened model's shown layer. Read again after anything that may recompute.
  std::optional<attn::LayerView> shown_layer() const;
  void recompute_and_upload(FrameTimes& times);
  // Explore with an opened model (hosted_model.cpp): the host's newest state at the start of a
  // frame, this frame's sentence asked for, the shown layer in the textures.
  bool hosted() const { return m_state.mode == Mode::Explore && !m_state.model_path.empty(); }
  void take_hosted_model();
  void request_and_upload_hosted(FrameTimes& times);
  std::optional<attn::LayerView> hosted_layer() const;  // the shown layer of the newest result, if any
  // The layer selector and what the model is doing (loading, the sentence's error).
  void draw_hosted_line(UiContext& ctx);
  // A Hugging Face folder or a text-trained checkpoint opens in Explore (loaded off the UI thread;
  // a failure keeps the model shown), kTrainedModelPath opens Train mode's model there; anything
  // else is a checkpoint for Train mode. False with a status message if not.
  bool open_any_model(const std::string& path);
  // Why Explore cannot read sentences with Train mode's model ("" when it can).
  std::string trained_model_problem() const;
  void close_hosted_model();
  // Continue: the opened model's next token after the sentence (state.sampling) appended to it.
  void continue_hosted_text();
  // train_controller.cpp. The first start in Train mode: a lesson learning from step 0, a model
  // to open, or a fresh one (--new TASK); the model is ready for the first frame.
  void start_training();
  // Train mode: the newest progress, a new model's state, the model view and its textures.
  void take_train_progress();
  void update_train_view();
  // --frames runs: wait until the trainer has taken the commands just posted (it keeps training).
  void settle_scripted_run();
  // Opens a checkpoint in Train mode (the trainer loads it); false with a status message if not.
  bool open_model(const std::string& path);
  // The first start: a fresh model with the lesson at `path`'s shape and settings, training from
  // step 0; false (nothing posted) when the lesson cannot be read.
  bool train_from_step_0(const std::string& path);
  void save_model(const std::string& path);
  // File > Save model as Hugging Face folder: refused with hf_gpt2_refusal's reason.
  void save_hf_folder(const std::string& path);
  // requests.cpp: the shortcuts (the command table's actions) and what the frame asked for, run
  // after it; the path prompt's answer.
  void handle_shortcuts(Requests& requests);
  void handle_requests(const Requests& requests);
  // The path the prompt (m_prompt.kind) was answered with: acted on, or its error shown in it.
  void act_on_prompt(const std::string& path);
  void apply_style_if_changed();
  void toggle_fullscreen();
  void toggle_presentation();  // F11: full screen, the controls folded into the drawer
  void take_screenshot(const std::string& path);
  void save_settings_if_changed(bool force);
  void run_export(const ExportChoice& choice);
  void run_train_export(const TrainExport& what);
  // Every export runs on a thread of its own from copies, one at a time, so a large figure never
  // freezes the window; `write` returns "" or the error. The status bar reports the end.
  void start_background_export(const std::string& path, std::function<std::string()> write);
  void finish_background_export();
  // Quit, unless a file is being written: then the window stays with the closing dialog (its
  // Cancel stops the export, which then writes nothing) and quits when the export ends.
  void request_quit();
  void draw_closing_dialog();
  void write_layout(const std::string& path) const;  // layout_file.cpp
  void set_status(std::string message, bool is_error);
  float ui_scale() const;

  GLFWwindow* m_window;
  WindowOptions m_options;
  AppState m_state;
  LiveModel m_model;
  LayerRanges m_view;
  // Explore's opened model (hosted_model.cpp).
  ModelHost m_models;
  ModelHostState m_hosted;                  // taken at the start of each frame
  std::vector<LayerRanges> m_hosted_views;  // one per layer of m_hosted.result
  // The request the views and textures are of: a result completed with every position's logits
  // keeps its request and its attention, so nothing is rebuilt or uploaded again for it.
  std::uint64_t m_hosted_views_of = 0;
  std::uint64_t m_seen_hosted_generation = 0, m_seen_load_failures = 0;
  std::uint64_t m_hosted_uploaded = 0;  // the request and layer in the textures
  int m_hosted_uploaded_layer = -1;
  std::uint64_t m_sampling_rng = 1;  // Continue's draws: the same text for the same clicks
  bool m_textures_hosted = false;    // slot 0 holds a layer of the opened model (or every slot, the overview)
  static constexpr int kMaxOverviewTokens =
      256;  // the overview's textures: 12 layers x 12 heads x 256^2 floats at most
  // Train mode. The worker thread waits idle until a model is opened or made.
  TrainHost m_host;
  std::shared_ptr<const TrainProgress> m_progress;  // the newest, taken at the start of a frame
  std::uint64_t m_seen_model_generation = 0;
  std::uint64_t m_seen_train_error = 0;  // message_generation of the worker's last error shown
  TrainModelView m_train_view;
  std::vector<LayerRanges> m_layer_views;
  std::uint64_t m_train_uploaded = 0;          // m_train_view generation in the textures
  Mode m_textures_mode = Mode::Explore;        // whose layers the textures hold
  std::vector<TrainCommand> m_train_commands;  // from this frame's panels, posted after it
  bool m_start_knock_outs_done = false;
  // The last EvaluateShown posted (a timeline snapshot and the knock-outs), so it is asked once.
  std::shared_ptr<const std::vector<float>> m_requested_evaluation;
  std::vector<std::uint8_t> m_requested_knocked_out;
  std::future<std::string> m_background_export;        // a file being written: "" or the error
  std::string m_pending_export;                        // its path
  std::shared_ptr<std::atomic<bool>> m_export_cancel;  // set by the closing dialog's Cancel
  bool m_closing = false;                              // a quit waits for the export to end
  std::string m_answer_in_status;                      // Train mode's answer when the window has no room for its line
  int m_closing_frames = 0;                            // drawn with the closing dialog (--layout)
  int m_frames_while_exporting = 0;                    // drawn while a file was being written (--layout)
  gfx::HeatmapRenderer m_renderer;
  FontAtlas m_fonts;
  LayoutRecord m_layout;
  PathPrompt m_prompt;
  std::uint64_t m_uploaded_generation = 0;
  float m_content_scale = 1.0f;
  float m_applied_scale = 0.0f;
  Theme m_applied_theme = Theme::Dark;
  bool m_fullscreen = false;
  int m_windowed_x = 0, m_windowed_y = 0, m_windowed_w = 0, m_windowed_h = 0;
  std::string m_saved_settings;  // the settings JSON last written, to write only on change
  std::chrono::steady_clock::time_point m_last_settings_check;
  double m_last_frame_ms = 0.0;
  int m_frame_index = 0;
  int m_busy_frames = 3;  // frames to draw before waiting for events again
  bool m_quit = false;
  std::string m_pending_screenshot;  // F12 / menu: saved and reported in the status bar
  TestHooks m_hooks{m_options};      // scripted input, around NewFrame and Render
};

}  // namespace app::gui
