// The keys by name: as the test input (--key) spells them and as the help and the menus show
// them. Needs only GLFW's key codes, so the flag parser (fuzzed without a window) can use it.
#pragma once
#include <string>
#include <string_view>

namespace app::gui {

// "F5", "Page Down", "←", "=": a GLFW key as people read it.
std::string key_shown(int key);
// The GLFW key --key names ("f5", "pagedown", "a", "equal"); 0 when unknown.
int key_from_test_name(std::string_view name);
// The name --key takes for a GLFW key; "" when --key cannot press it.
std::string key_test_name(int key);
// Every name key_from_test_name knows, for --help ("f1-f12, a-z, 0-9, equal, ...").
std::string key_test_names();

}  // namespace app::gui
