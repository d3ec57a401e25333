// Where exports go and what they are called: the XDG pictures folder by default, names built from
// the sentence, the part exported and the time, and never an existing file overwritten.
#pragma once
#include <ctime>
#include <string>

namespace app {

// XDG_PICTURES_DIR (from $XDG_CONFIG_HOME/user-dirs.dirs or ~/.config/user-dirs.dirs) when that
// folder exists, else the current working directory.
std::string default_export_dir();

// "attention_the-cat-sat-on_head3_2026-11-22_153012.png": a slug of the first words (ASCII,
// never empty), the part ("grid", "head3", "qkv3", "screenshot"), the local time, the extension.
std::string suggested_file_name(const std::string& sentence, const std::string& part, const std::string& extension,
                                std::time_t when);

// `path` if nothing is there, else "name-2.ext", "name-3.ext", ...: never overwrite silently.
std::string unique_path(const std::string& path);

}  // namespace app
