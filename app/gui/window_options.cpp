// Window flags on top of the shared model flags.
#include "gui/window_options.hpp"

#include <GLFW/glfw3.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "core/app_state.hpp"
#include "core/lessons.hpp"
#include "core/model_host.hpp"
#include "engine/model/arch.hpp"
#include "engine/train/tasks.hpp"
#include "gui/key_names.hpp"

namespace app::gui {

namespace {

WindowOptions::KeyPress parse_key_press(const std::string& spec) {
  WindowOptions::KeyPress press;
  const std::size_t at = spec.rfind('@');
  if (at == std::string::npos) throw cli::UsageError("--key needs NAME@FRAME, got '" + spec + "'");
  std::string name = spec.substr(0, at);
  press.frame = cli::parse_int("--key", spec.substr(at + 1), 0, 1000000);
  if (name.rfind("ctrl+", 0) == 0) {
    press.ctrl = true;
    name = name.substr(5);
  }
  press.key = key_from_test_name(name);
  if (press.key == 0) throw cli::UsageError("--key does not know the key '" + name + "'");
  return press;
}

const char* const kTestFlagsHelp =
    "\nTesting and measuring (used by the GUI tests and bench-ui):\n"
    "  --size WxH               window size in pixels (default 1600x1000)\n"
    "  --frames N               quit after N frames\n"
    "  --screenshot PATH        save the last frame as PNG (with --frames)\n"
    "  --layout PATH            write where heatmaps, chips and every text are drawn, as JSON\n"
    "  --hover-token I          move the mouse onto token chip I (0-based)\n"
    "  --key [ctrl+]NAME@N      press a key in frame N (NAME: see below); may be repeated\n"
    "  --knock-out L:H          Train mode: knock out layer L head H (from 1) at the start\n"
    "  --click-cell H,R,C@N     click row R, column C of head H's attention (layer 1; from 1) in frame N\n"
    "  --pick-model WHICH@N     choose in Explore's model picker in frame N: random, english, trained\n"
    "                           (the model in Train mode) or a path\n"
    "  --no-settings            do not read or write the saved settings\n";
}  // namespace

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
      std::printf("  key names for --key: %s\n", key_test_names().c_str());
      return std::nullopt;
    }
    if (cli::parse_model_flag(flag, cursor, options.input)) {
      options.model_flags_given = true;
    } else if (flag == "--session") {
      options.session_path = cursor.value(flag);
    } else if (flag == "--mode") {
      const std::string v = cursor.value(flag);
      if (v != "explore" && v != "train") throw cli::UsageError("--mode must be explore or train, got '" + v + "'");
      options.mode = v == "train" ? Mode::Train : Mode::Explore;
    } else if (flag == "--model") {
      options.model_path = cursor.value(flag);
    } else if (flag == "--lesson") {
      options.model_path = cli::lesson_flag_path(cursor.value(flag));
    } else if (flag == "--train" && options.bench_ui) {
      options.bench_train = true;
      options.new_task = "induction";
    } else if (flag == "--minutes" && options.bench_ui) {
      options.bench_minutes = cursor.float_value(flag);
      if (!(options.bench_minutes > 0.0 && options.bench_minutes <= 10000.0))
        throw cli::UsageError("--minutes must be more than 0 and at most 10000");
    } else if (flag == "--new") {
      options.new_task = cursor.value(flag);
      if (!attn::make_task(options.new_task) && options.new_task != "text")
        throw cli::UsageError("--new must be induction, reverse, sort, sentences or text, got '" + options.new_task +
                              "'");
    } else if (flag == "--text-file") {
      const std::string v = cursor.value(flag);
      const auto at = v.rfind('@');
      WindowOptions::TextFile choice;
      choice.path = v;
      if (at != std::string::npos && at + 1 < v.size() &&
          v.find_first_not_of("0123456789", at + 1) == std::string::npos) {
        choice.path = v.substr(0, at);
        choice.frame = cli::parse_int("--text-file", v.substr(at + 1), 0, 1000000);
      }
      options.text_files.push_back(choice);
      if (!options.mode) options.mode = Mode::Train;
    } else if (flag == "--example") {
      options.example = cursor.value(flag);
      options.example_given = true;
    } else if (flag == "--click-cell") {
      const std::string v = cursor.value(flag);
      const auto at = v.find('@');
      const std::vector<int> cell = cli::parse_int_list(flag, v.substr(0, at), 1, 100000);
      if (at == std::string::npos || cell.size() != 3)
        throw cli::UsageError("--click-cell needs HEAD,ROW,COL@FRAME, got '" + v + "'");
      options.clicks.push_back(
          {cell[0] - 1, cell[1] - 1, cell[2] - 1, cli::parse_int(flag, v.substr(at + 1), 0, 100000000)});
    } else if (flag == "--knock-out") {
      const std::string v = cursor.value(flag);
      const auto colon = v.find(':');
      if (colon == std::string::npos) throw cli::UsageError("--knock-out needs LAYER:HEAD, got '" + v + "'");
      options.knock_outs.emplace_back(cli::parse_int(flag, v.substr(0, colon), 1, attn::kMaxLayers) - 1,
                                      cli::parse_int(flag, v.substr(colon + 1), 1, attn::kMaxTrainHeads) - 1);
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
    } else if (flag == "--pick-model") {
      const std::string spec = cursor.value(flag);
      const std::size_t at = spec.rfind('@');
      if (at == std::string::npos) throw cli::UsageError("--pick-model needs WHICH@FRAME, got '" + spec + "'");
      WindowOptions::Pick pick;
      pick.frame = cli::parse_int("--pick-model", spec.substr(at + 1), 0, 1000000);
      const std::string which = spec.substr(0, at);
      pick.model = which == "random"    ? ""
                   : which == "english" ? lesson_path("english")
                   : which == "trained" ? kTrainedModelPath
                                        : which;
      options.picks.push_back(pick);
    } else if (flag == "--key") {
      options.key_presses.push_back(parse_key_press(cursor.value(flag)));
    } else if (flag == "--no-settings") {
      options.no_settings = true;
    } else if (flag == "--size") {
      const std::string v = cursor.value(flag);
      const auto x = v.find('x');
      if (x == std::string::npos) throw cli::UsageError("--size needs WxH, got '" + v + "'");
      options.width = cli::parse_int(flag, v.substr(0, x), 200, 16384);
      options.height = cli::parse_int(flag, v.substr(x + 1), 200, 16384);
    } else {
      throw cli::UsageError("unknown flag '" + flag + "'");
    }
  }
  if (options.bench_minutes > 0.0 && !options.bench_train)
    throw cli::UsageError("--minutes needs --train (bench-ui --train --minutes M)");
  return options;
}

}  // namespace app::gui
