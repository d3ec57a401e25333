// The one theme enum and its table, for the window and the figures alike: the name the command
// line and session files use, the window's label, and the colors a figure in that theme uses.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/colormap.hpp"

namespace app {

enum class Theme { Dark, Light };

struct ThemeInfo {
  Theme theme;
  std::string_view name;              // "dark", "light": --theme, session files
  const char* label;                  // the window's choice
  Rgb8 background, text, dim, frame;  // figures: background, text, dimmed text, frames and axes
};
inline constexpr std::size_t kThemeCount = 2;
const std::array<ThemeInfo, kThemeCount>& theme_table();  // in the window's order
const ThemeInfo& theme_info(Theme theme);
std::optional<Theme> parse_theme(std::string_view name);

}  // namespace app
