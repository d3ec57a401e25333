// Runs the real attnlab window under a private Xvfb (xvfb-run) and reads back what it drew:
// the screenshot as pixels and the on-screen layout as JSON.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"

namespace gui_test {

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;
  const unsigned char* at(int x, int y) const {
    return &rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 4];
  }
};

struct Run {
  int exit_code = -1;
  std::string stderr_text;
  Image screenshot;
  nlohmann::json layout;
};

// Runs `attnlab <args> --frames N --screenshot ... --layout ...` in a fresh temporary folder with
// its own XDG_CONFIG_HOME (so no real settings are read or written unless `env` says otherwise).
Run run_window(const std::string& args, int frames = 6, const std::string& env = "");

// The same in a window of `width` x `height` (with --fullscreen: on a screen of exactly that size,
// so full screen is that size too, else on a screen of at least 1600x1000); no screenshot when `screenshot` is false
// (the layout alone is faster).
Run run_window_sized(const std::string& args, int width, int height, int frames, bool screenshot);

// What is wrong with the texts of a --layout: any two visible text boxes of one window that
// overlap (touching edges allowed), any box outside the window, any text cut where it cannot be
// scrolled to. One readable line each; empty when all is well.
std::vector<std::string> text_problems(const nlohmann::json& layout);

// Every attention map (weights, raw scores or lines) of at most `max_tokens` tokens that lacks a
// token label: a row label left of each row and a column label above each column (the lines
// view: a query label left and a key label right of each token's row). One line each.
std::vector<std::string> label_problems(const nlohmann::json& layout, int max_tokens = 16);

// True when the layout records a text of `kind` ("label", "caption", "button", ...) containing `part`.
bool has_text(const nlohmann::json& layout, const std::string& kind, const std::string& part);

// The layout entry of a heatmap (matrix "attention", "Q", ...), or null.
const nlohmann::json* find_heatmap(const nlohmann::json& layout, const char* matrix, int head, int layer = 0);

// A temporary folder removed at destruction.
using TempDir = test_support::TempDir;

// Makes `home` a home folder with an XDG pictures folder ($HOME/Pictures) and returns the
// environment (HOME=… XDG_CONFIG_HOME=…) that makes attnlab save exports there.
std::string pictures_home_env(const TempDir& home);

}  // namespace gui_test
