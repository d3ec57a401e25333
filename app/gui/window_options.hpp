// What the window was asked to do on its command line: the model to open, window flags, and the
// hooks the GUI tests and bench-ui use to drive the real app.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/app_state.hpp"
#include "core/model_input.hpp"

namespace app::gui {

struct WindowOptions {
  ModelInput input;                // model flags given on the command line ...
  bool model_flags_given = false;  // ... override the restored settings when any was given
  std::string session_path;        // --session
  std::optional<Mode> mode;        // --mode explore|train (default: see initial_state)
  std::string model_path;          // --model CKPT.npz or --lesson NAME: Train mode on that model
  std::string new_task;            // --new TASK: Train mode on a fresh, untrained model of TASK
  struct TextFile {
    std::string path;
    int frame = 0;
  };
  std::vector<TextFile> text_files;  // --text-file FILE[@N]: chosen as from the task list at frame N
  std::string example;               // --example TEXT: Train mode's input
  bool example_given = false;
  bool reset = false;  // --reset: ignore saved settings
  float scale = 0.0f;  // --scale, 0 = from the monitor
  bool fullscreen = false;
  bool bench_ui = false;     // `attnlab bench-ui`
  bool bench_train = false;  // `attnlab bench-ui --train`: frames while the model trains
  int bench_frames_per_step = 1;
  double bench_minutes = 0.0;  // `bench-ui --train --minutes M`: the training soak instead
  // Not a flag: nothing was saved and no flag chose what to show. The sentences lesson's model then
  // trains from step 0, so the first thing a person sees moves.
  bool first_start = false;
  // Test hooks (documented in --help under "testing"):
  int frames = 0;                   // --frames N: quit after N frames (0 = run until closed)
  std::string screenshot_path;      // --screenshot PATH: save the last frame as PNG
  std::string layout_path;          // --layout PATH: where heatmaps, chips and texts are, as JSON
  int hover_token = -1;             // --hover-token I: move the mouse onto token chip I
  int width = 1600, height = 1000;  // --size WxH
  struct KeyPress {
    int key = 0;  // GLFW key code
    bool ctrl = false;
    int frame = 0;
  };
  std::vector<KeyPress> key_presses;            // --key [ctrl+]NAME@FRAME: press a key in that frame
  bool no_settings = false;                     // --no-settings: neither read nor write the settings file
  std::vector<std::pair<int, int>> knock_outs;  // --knock-out L:H (from 1): knocked out at start
  struct Click {
    int head = 0, row = 0, col = 0;  // 0-based: a cell of an attention heatmap of layer 1
    int frame = 0;
  };
  std::vector<Click> clicks;  // --click-cell H:R:C@N (from 1): a left click on that cell
  struct Pick {
    std::string model;  // "" random weights, a path, or kTrainedModelPath (core/model_host.hpp)
    int frame = 0;
  };
  std::vector<Pick> picks;  // --pick-model WHICH@N: Explore's model picker in frame N
};

// Parses argv (argv[1] may be "bench-ui"). Throws cli::UsageError for bad flags.
// Returns nullopt after printing --help.
std::optional<WindowOptions> parse_window_options(int argc, char** argv);

}  // namespace app::gui
