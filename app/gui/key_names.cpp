// Key names: how --key spells a key and how the help and the menus show it, in one table, so the
// test input and the shortcut table cannot disagree on a key.
#include "gui/key_names.hpp"

#include <GLFW/glfw3.h>

namespace app::gui {

namespace {

// Keys that are not a letter, a digit or F1-F12: the name --key takes and the name people read.
struct NamedKey {
  int key;
  const char* test_name;
  const char* shown;
};
const NamedKey kNamedKeys[] = {
    {GLFW_KEY_EQUAL, "equal", "="},
    {GLFW_KEY_MINUS, "minus", "-"},
    {GLFW_KEY_KP_ADD, "kpadd", "keypad +"},
    {GLFW_KEY_KP_SUBTRACT, "kpsubtract", "keypad -"},
    {GLFW_KEY_PAGE_UP, "pageup", "Page Up"},
    {GLFW_KEY_PAGE_DOWN, "pagedown", "Page Down"},
    {GLFW_KEY_ESCAPE, "escape", "Esc"},
    {GLFW_KEY_HOME, "home", "Home"},
    {GLFW_KEY_END, "end", "End"},
    {GLFW_KEY_ENTER, "enter", "Enter"},
    {GLFW_KEY_LEFT, "left", "\xE2\x86\x90"},
    {GLFW_KEY_RIGHT, "right", "\xE2\x86\x92"},
    {GLFW_KEY_LEFT_BRACKET, "[", "["},
    {GLFW_KEY_RIGHT_BRACKET, "]", "]"},
};

}  // namespace

std::string key_shown(int key) {
  if (key >= GLFW_KEY_A && key <= GLFW_KEY_Z) return std::string(1, static_cast<char>('A' + (key - GLFW_KEY_A)));
  if (key >= GLFW_KEY_0 && key <= GLFW_KEY_9) return std::string(1, static_cast<char>('0' + (key - GLFW_KEY_0)));
  if (key >= GLFW_KEY_F1 && key <= GLFW_KEY_F12) return "F" + std::to_string(key - GLFW_KEY_F1 + 1);
  for (const NamedKey& k : kNamedKeys)
    if (k.key == key) return k.shown;
  return "key " + std::to_string(key);  // only a key without a row in kNamedKeys shows this
}

int key_from_test_name(std::string_view name) {
  if (name.size() == 1 && name[0] >= 'a' && name[0] <= 'z') return GLFW_KEY_A + (name[0] - 'a');
  if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') return GLFW_KEY_0 + (name[0] - '0');
  if ((name.size() == 2 || name.size() == 3) && name[0] == 'f') {
    int n = 0;
    for (std::size_t i = 1; i < name.size(); ++i) {
      if (name[i] < '0' || name[i] > '9') return 0;
      n = n * 10 + (name[i] - '0');
    }
    return n >= 1 && n <= 12 ? GLFW_KEY_F1 + n - 1 : 0;
  }
  for (const NamedKey& k : kNamedKeys)
    if (name == k.test_name) return k.key;
  return 0;
}

std::string key_test_name(int key) {
  if (key >= GLFW_KEY_A && key <= GLFW_KEY_Z) return std::string(1, static_cast<char>('a' + (key - GLFW_KEY_A)));
  if (key >= GLFW_KEY_0 && key <= GLFW_KEY_9) return std::string(1, static_cast<char>('0' + (key - GLFW_KEY_0)));
  if (key >= GLFW_KEY_F1 && key <= GLFW_KEY_F12) return "f" + std::to_string(key - GLFW_KEY_F1 + 1);
  for (const NamedKey& k : kNamedKeys)
    if (k.key == key) return k.test_name;
  return "";
}

std::string key_test_names() {
  std::string names = "f1-f12, a-z, 0-9";
  for (const NamedKey& k : kNamedKeys) names += std::string(", ") + k.test_name;
  return names;
}

}  // namespace app::gui
