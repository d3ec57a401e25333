// The theme table: dark matches the window's dark style; light is near-black on white, for print,
// slides and a projector in a bright room.
#include "core/themes.hpp"

#include <stdexcept>

namespace app {

namespace {

const std::array<ThemeInfo, kThemeCount> kThemes = {{
    {Theme::Dark, "dark", "dark", {22, 22, 28}, {238, 238, 238}, {170, 170, 180}, {90, 90, 100}},
    {Theme::Light, "light", "light (projector)", {255, 255, 255}, {17, 17, 17}, {85, 85, 85}, {150, 150, 150}},
}};

}  // namespace

const std::array<ThemeInfo, kThemeCount>& theme_table() { return kThemes; }

const ThemeInfo& theme_info(Theme theme) {
  for (const ThemeInfo& t : kThemes)
    if (t.theme == theme) return t;
  throw std::logic_error("a theme without a row in the theme table");  // a row was forgotten
}

std::optional<Theme> parse_theme(std::string_view name) {
  for (const ThemeInfo& t : kThemes)
    if (t.name == name) return t.theme;
  return std::nullopt;
}

}  // namespace app
