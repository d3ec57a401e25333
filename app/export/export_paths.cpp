// Export naming and the default folder.
#include "export/export_paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "engine/file_io.hpp"

namespace app {

namespace fs = std::filesystem;

std::string default_export_dir() {
  const char* home = std::getenv("HOME");
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const std::string config = xdg && *xdg ? xdg : std::string(home ? home : "") + "/.config";
  // Through read_file: only a regular file is read, so a FIFO there cannot hang the start.
  std::string text;
  try {
    text = attn::read_file(config + "/user-dirs.dirs", 1 << 20);
  } catch (const attn::FileError&) {  // usually missing: the pictures folder is then the cwd
  }
  std::istringstream dirs(text);
  std::string line;
  while (std::getline(dirs, line)) {
    const std::string key = "XDG_PICTURES_DIR=";
    if (line.rfind(key, 0) != 0) continue;
    std::string value = line.substr(key.size());
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (value.rfind("$HOME", 0) == 0) value = std::string(home ? home : "") + value.substr(5);
    std::error_code ec;
    if (!value.empty() && fs::is_directory(value, ec)) return value;
  }
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  return ec ? "." : cwd.string();
}

std::string suggested_file_name(const std::string& sentence, const std::string& part, const std::string& extension,
                                std::time_t when) {
  std::string slug;
  int words = 0;
  bool gap = false;
  for (unsigned char c : sentence) {
    const bool ascii_word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (ascii_word) {
      if (gap && !slug.empty()) {
        if (++words >= 4) break;
        slug += '-';
      }
      slug += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      gap = false;
    } else {
      gap = true;
    }
    if (slug.size() >= 32) break;
  }
  if (slug.empty()) slug = "sentence";
  char stamp[32];
  std::tm local{};
  localtime_r(&when, &local);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d_%H%M%S", &local);
  return "attention_" + slug + "_" + part + "_" + stamp + "." + extension;
}

std::string unique_path(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return path;
  const fs::path p(path);
  const std::string stem = (p.parent_path() / p.stem()).string(), ext = p.extension().string();
  for (int i = 2;; ++i) {
    const std::string candidate = stem + "-" + std::to_string(i) + ext;
    if (!fs::exists(candidate, ec)) return candidate;
  }
}

}  // namespace app
