// Sessions (a lesson's prepared sentence and settings) and the settings restored at start-up,
// both as one small JSON format.
#pragma once
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "core/app_state.hpp"

namespace app {

// A session or settings file larger than this is refused unread: the real ones are a few KB.
inline constexpr std::uint64_t kMaxSessionBytes = 16ull * 1024 * 1024;

// {"format": "attnlab-session", "version": 1, "text": ..., "tokenizer": ..., "config": {...},
//  "weights": "", "model": "a Hugging Face folder or text model, or empty for random weights",
//  "model_layer": 0, "recent_models": ["models opened before, newest first"],
//  "view": {...}, "export_dir": ..., "note": "a teacher's note, shown on opening"}
std::string session_to_json(const AppState& state);
// Applies the keys present onto `state` (missing keys keep their value, except "model" and
// "note": a session without them shows random weights and no note). Throws
// std::invalid_argument with a readable message naming the key for malformed JSON, wrong types
// or a value the engine cannot use; `state` is only changed when the whole file is good.
void session_from_json(const std::string& json, AppState& state);
// The saved settings' reading: every value that can be used is applied, each one that cannot
// keeps its current value and is described (naming its key) in the returned list, as are keys
// this version does not know and a wrong "format" or "version". Throws std::invalid_argument
// only when the text is not a JSON object at all.
std::vector<std::string> settings_from_json(const std::string& json, AppState& state);

// Write (atomically) and read a session file. Throw attn::FileError / std::invalid_argument.
// Only a regular file of at most kMaxSessionBytes is read (a FIFO is refused, never waited on).
void save_session(const AppState& state, const std::string& path);
// load_session also names the lesson (state.lesson) after the file.
void load_session(const std::string& path, AppState& state);

// What reading the saved settings did.
struct SettingsLoad {
  enum class Outcome {
    Missing,      // no settings file: a first start
    Read,         // read; `dropped` lists the values left out
    SetAside,     // could not be read at all; moved to `set_aside_path`, the next save starts anew
    Untouchable,  // could not be read and must not be written: not a regular file, or it could
                  // not be moved aside. The window saves no settings this run.
  };
  Outcome outcome = Outcome::Missing;
  std::vector<std::string> dropped;
  std::string reason;          // SetAside, Untouchable: why it could not be read
  std::string set_aside_path;  // SetAside
  // One line for the status bar, empty when there is nothing to say.
  std::string summary(const std::string& path) const;
};
// Reads the settings file at `path` onto `state`, keeping every value it can use. A file that
// cannot be read at all (not JSON, not an object, an I/O error, too large) is renamed to
// "<path>.unreadable-YYYYMMDD-HHMMSS" so that nothing ever overwrites it; a symbolic link is
// moved aside itself (its target is not touched). Never throws.
SettingsLoad load_settings(const std::string& path, AppState& state);
// Renames `path` to "<path>.unreadable-YYYYMMDD-HHMMSS" (local time `when`), adding "-2", "-3",
// ... when that name is taken: never over an existing file. Returns the new name; throws
// attn::FileError when it cannot.
std::string set_aside_unreadable(const std::string& path, std::time_t when);

// $XDG_CONFIG_HOME/attnlab/settings.json, else ~/.config/attnlab/settings.json.
std::string settings_path();

}  // namespace app
