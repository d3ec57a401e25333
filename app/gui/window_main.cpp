// Opening the window: options, restored settings, GLFW + OpenGL 3.3 core + Dear ImGui, then the
// App's loop. Every failure here is a one-line message and an exit code, never a crash.
#include "gui/window_main.hpp"

#include <GLFW/glfw3.h>
#include <cblas.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/session_file.hpp"
#include "export/export_paths.hpp"
#include "gui/app.hpp"
#include "gui/window_options.hpp"

namespace app::gui {

namespace {

void glfw_error(int code, const char* description) {
  std::fprintf(stderr, "attnlab: GLFW error %d: %s\n", code, description);
}

// The state the window opens with: saved settings (unless --reset), then --session, then model
// flags. A bad file is reported and skipped; the window still opens. `settings_locked` is set
// when the settings file could neither be read nor moved aside: nothing may overwrite it.
AppState initial_state(const WindowOptions& options, std::string& notice, bool& settings_locked, bool& first_start) {
  AppState state = default_state();
  bool restored = false, is_error = false;
  settings_locked = false;
  if (!options.reset && !options.no_settings) {
    const std::string path = settings_path();
    const SettingsLoad load = load_settings(path, state);
    restored = load.outcome == SettingsLoad::Outcome::Read;
    settings_locked = load.outcome == SettingsLoad::Outcome::Untouchable;
    for (const std::string& value : load.dropped)
      std::fprintf(stderr, "attnlab: saved settings %s: left out %s\n", path.c_str(), value.c_str());
    notice = load.summary(path);
    is_error = !notice.empty();
    if (load.outcome == SettingsLoad::Outcome::SetAside || settings_locked)
      std::fprintf(stderr, "attnlab: %s\n", notice.c_str());
  }
  if (!options.session_path.empty()) {
    try {
      load_session(options.session_path, state);
      notice = "Opened session " + options.session_path;
      is_error = false;
    } catch (const std::exception& e) {
      notice = std::string("Session not opened: ") + e.what();
      is_error = true;
      std::fprintf(stderr, "attnlab: %s\n", notice.c_str());
    }
  }
  if (options.model_flags_given) state.input = options.input;
  // --model DIR: a Hugging Face folder or a model trained on text (the English lesson) opens in
  // Explore (the app loads it off the UI thread).
  const bool reads_text = !options.model_path.empty() && !(options.mode && *options.mode == Mode::Train) &&
                          opens_in_explore(options.model_path);
  if (reads_text) {
    state.model_path = options.model_path;
    state.model_layer = 0;
  } else if (!options.model_path.empty() || !options.new_task.empty() || options.model_flags_given) {
    state.model_path.clear();  // a checkpoint, a new task or explorer flags: not last time's model
  }
  // Which mode: as asked; a model to open means Train; explorer flags or a session mean Explore;
  // the first start (nothing saved) opens Train mode on the sentences lesson, training from step
  // 0 (App::init); else as last time.
  if (options.mode)
    state.mode = *options.mode;
  else if (reads_text)
    state.mode = Mode::Explore;
  else if (!options.model_path.empty() || !options.new_task.empty() || options.example_given)
    state.mode = Mode::Train;
  else if (options.model_flags_given || !options.session_path.empty())
    state.mode = Mode::Explore;
  else if (!restored) {
    state.mode = Mode::Train;
    first_start = true;
  }
  if (options.scale > 0.0f) state.view.ui_scale = options.scale;
  if (state.export_dir.empty()) state.export_dir = default_export_dir();
  state.status = notice;
  state.status_is_error = is_error;
  return state;
}

int open_window_and_run(const WindowOptions& options, std::chrono::steady_clock::time_point start) {
  // The window's matrices are small; a second BLAS thread would only spin while idle and take
  // the core that Mesa's software rasteriser needs to draw the frame.
  openblas_set_num_threads(1);
  // Every keystroke allocates a new run of a few hundred KB. Above glibc's default threshold
  // those come from fresh mmap()s, and their page faults cost more than the math; keeping freed
  // blocks in the heap makes the next run reuse them.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // The first run needs only the engine, so it is computed while Mesa creates the window and
  // its OpenGL context (the slowest part of starting on a software renderer).
  std::string notice;
  bool settings_locked = false;
  bool first_start = false;
  AppState state = initial_state(options, notice, settings_locked, first_start);
  if (options.bench_ui) state.input = App::bench_input();
  if (options.bench_train) state.mode = Mode::Train;
  LiveModel model;
  std::thread first_run([&model, input = state.input] { model.update(input); });
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();  // on every early return, never leave it running
    }
  } join_first_run{first_run};
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fputs(
        "attnlab: cannot open a window (is there a display? DISPLAY is not set or not "
        "reachable). The commands dump, export and bench work without one.\n",
        stderr);
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  // ImGui and the heatmaps draw back to front with blending: no depth or stencil buffer, which
  // a software renderer would otherwise allocate and clear for nothing.
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  GLFWwindow* window = glfwCreateWindow(options.width, options.height, "Attention Lab", nullptr, nullptr);
  if (!window) {
    std::fputs("attnlab: cannot create an OpenGL 3.3 core window on this display\n", stderr);
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(options.bench_ui ? 0 : 1);
  glfwFocusWindow(window);  // without a window manager (Xvfb) nothing else gives it focus

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // our own settings file keeps what matters; no imgui.ini in the cwd
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  int code = 0;
  {
    first_run.join();
    WindowOptions app_options = options;
    // The settings file could not be read nor moved aside: never write over it this run.
    if (settings_locked) app_options.no_settings = true;
    app_options.first_start = first_start && !options.bench_ui && !options.bench_train;
    App app(window, std::move(app_options), std::move(state), std::move(model));
    std::string error;
    if (!app.init(error)) {
      std::fprintf(stderr, "attnlab: the GPU cannot run the heatmap shaders:\n%s\n", error.c_str());
      code = 1;
    } else {
      code = options.bench_minutes > 0.0 ? app.run_bench_train_soak(options.bench_minutes)
             : options.bench_train       ? app.run_bench_train()
             : options.bench_ui && opens_in_explore(options.model_path) ? app.run_bench_model()
             : options.bench_ui                                         ? app.run_bench(start)
                                                                        : app.run();
    }
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return code;
}

}  // namespace

int window_main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  const char* command = argc >= 2 && std::string(argv[1]) == "bench-ui" ? "bench-ui" : "window";
  return cli::guarded(command, [&] {
    const std::optional<WindowOptions> options = parse_window_options(argc, argv);
    if (!options) return 0;
    return open_window_and_run(*options, start);
  });
}

}  // namespace app::gui
