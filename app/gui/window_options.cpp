// Window flags on top of the shared model flags.
#include "gui/window_options.hpp"

#include <cstdio>
#include <cstdlib>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "core/app_state.hpp"

namespace app::gui {

namespace {
const char* const kTestFlagsHelp =
    "\nTesting and measuring (used by the GUI tests and bench-ui):\n"
    "  --size WxH               window size in pixels (default 1600x1000)\n"
    "  --frames N               quit after N frames\n"
    "  --screenshot PATH        save the last frame as PNG (with --frames)\n"
    "  --layout PATH            write the on-screen rectangles of heatmaps and chips as JSON\n"
    "  --hover-token I          move the mouse onto token chip I (0-based)\n"
    "  --no-settings            do not read or write the saved settings\n";
}

std::optional<WindowOptions> parse_window_options(int argc, char** argv) {
  WindowOptions options;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "bench-ui") {
    options.bench_ui = true;
    args.erase(args.begin());
  }
  cli::ArgCursor cursor(args);
  options.input.text = kExampleSentence;
  while (!cursor.done()) {
    const std::string flag = cursor.next_flag();
    if (flag == "--help" || flag == "-h") {
      std::fputs(cli::top_level_help().c_str(), stdout);
      std::fputs(kTestFlagsHelp, stdout);
      return std::nullopt;
    }
    if (cli::parse_model_flag(flag, cursor, options.input)) {
      options.model_flags_given = true;
    } else if (flag == "--session") {
      options.session_path = cursor.value(flag);
    } else if (flag == "--reset") {
      options.reset = true;
    } else if (flag == "--scale") {
      options.scale = cursor.float_value(flag);
      if (options.scale < kMinUiScale || options.scale > kMaxUiScale)
        throw cli::UsageError("--scale must be between 0.75 and 3");
    } else if (flag == "--fullscreen") {
      options.fullscreen = true;
    } else if (flag == "--frames") {
      options.frames = cursor.int_value(flag, 1, 100000000);
    } else if (flag == "--screenshot") {
      options.screenshot_path = cursor.value(flag);
    } else if (flag == "--layout") {
      options.layout_path = cursor.value(flag);
    } else if (flag == "--hover-token") {
      options.hover_token = cursor.int_value(flag, 0, 100000);
    } else if (flag == "--no-settings") {
      options.no_settings = true;
    } else if (flag == "--size") {
      const std::string v = cursor.value(flag);
      const auto x = v.find('x');
      if (x == std::string::npos) throw cli::UsageError("--size needs WxH, got '" + v + "'");
      options.width = cli::parse_int_list(flag, v.substr(0, x), 200, 16384).at(0);
      options.height = cli::parse_int_list(flag, v.substr(x + 1), 200, 16384).at(0);
    } else {
      throw cli::UsageError("unknown flag '" + flag + "'");
    }
  }
  return options;
}

}  // namespace app::gui
