// Sessions (a lesson's prepared sentence and settings) and the settings restored at start-up,
// both as one small JSON format.
#pragma once
#include <string>

#include "core/app_state.hpp"

namespace app {

// {"format": "attnlab-session", "version": 1, "text": ..., "tokenizer": ..., "config": {...},
//  "weights": "", "view": {...}, "export_dir": ...}
std::string session_to_json(const AppState& state);
// Applies the keys present onto `state` (missing keys keep their value). Throws
// std::invalid_argument with a readable message for malformed JSON or wrong types; `state` is
// only changed when the whole file is good.
void session_from_json(const std::string& json, AppState& state);

// Write (atomically) and read a session file. Throw attn::FileError / std::invalid_argument.
void save_session(const AppState& state, const std::string& path);
void load_session(const std::string& path, AppState& state);

// $XDG_CONFIG_HOME/attnlab/settings.json, else ~/.config/attnlab/settings.json.
std::string settings_path();

}  // namespace app
