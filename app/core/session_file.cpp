// Session JSON: read tolerant of missing keys; a session is strict about wrong ones and never
// half-applied, the saved settings keep every value they can and set aside what they cannot read.
#include "core/session_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/config_json.hpp"
#include "core/output_dir.hpp"
#include "engine/npy.hpp"

namespace app {

namespace {

const char* range_name(RangeMode r) { return r == RangeMode::Fixed01 ? "fixed" : "head"; }

void read_view(const nlohmann::json& j, ViewSettings& v, const KeyRefusals& refusals) {
  if (!j.is_object()) throw std::invalid_argument("key 'view' must be an object");
  const char* const where = "view.";
  refusals.take([&] {
    std::string theme(theme_info(v.theme).name);
    read_json_key(j, "theme", theme, where);
    const std::optional<Theme> parsed = parse_theme(theme);
    if (!parsed) throw std::invalid_argument("key 'view.theme' has unknown value '" + theme + "'");
    v.theme = *parsed;
  });
  refusals.take([&] {
    std::string range = range_name(v.range);
    read_json_key(j, "range", range, where);
    if (range != "head" && range != "fixed")
      throw std::invalid_argument("key 'view.range' has unknown value '" + range + "'");
    v.range = range == "fixed" ? RangeMode::Fixed01 : RangeMode::PerHead;
  });
  refusals.take([&] {
    std::string cmap(colormap_name(v.colormap));
    read_json_key(j, "colormap", cmap, where);
    const auto map = parse_colormap(cmap);
    if (!map || !colormap_info(*map).for_weights)  // attention weights need a sequential map
      throw std::invalid_argument("key 'view.colormap' has unknown value '" + cmap + "'");
    v.colormap = *map;
  });
  refusals.take([&] {
    float scale = v.ui_scale;
    read_json_key(j, "ui_scale", scale, where);
    // Out of range: follow the monitor instead of refusing a lesson over it.
    v.ui_scale = scale != 0.0f && !(scale >= kMinUiScale && scale <= kMaxUiScale) ? 0.0f : scale;
  });
  refusals.take([&] { read_json_key(j, "show_qkv", v.show_qkv, where); });
  refusals.take([&] { read_json_key(j, "show_values", v.show_values, where); });
  refusals.take([&] {
    std::string head_view = v.head_view == HeadView::Scores  ? "scores"
                            : v.head_view == HeadView::Lines ? "lines"
                                                             : "weights";
    read_json_key(j, "head_view", head_view, where);
    if (head_view != "weights" && head_view != "scores" && head_view != "lines")
      throw std::invalid_argument("key 'view.head_view' has unknown value '" + head_view + "'");
    v.head_view = head_view == "scores" ? HeadView::Scores : head_view == "lines" ? HeadView::Lines : HeadView::Weights;
  });
  refusals.note_unknown_keys(j, {"theme", "range", "colormap", "ui_scale", "show_qkv", "show_values", "head_view"},
                             where);
}

nlohmann::json parse_json(const std::string& text) {
  try {
    return nlohmann::json::parse(quote_overflowing_numbers(text));
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for what slips past the quoting
    throw std::invalid_argument(std::string("not valid JSON (") + e.what() + ")");
  }
}

// The keys after "format" and "version", read onto a copy that replaces `state` at the end.
void read_session_keys(const nlohmann::json& j, AppState& state, const KeyRefusals& refusals) {
  AppState next = state;
  refusals.take([&] {
    std::string mode_name = next.mode == Mode::Train ? "train" : "explore";
    read_json_key(j, "mode", mode_name);
    if (mode_name != "train" && mode_name != "explore")
      throw std::invalid_argument("key 'mode' has unknown value '" + mode_name + "'");
    next.mode = mode_name == "train" ? Mode::Train : Mode::Explore;
  });
  refusals.take([&] { read_json_key(j, "text", next.input.text); });
  refusals.take([&] {
    std::string tokenizer(attn::to_string(next.input.tokenizer));
    read_json_key(j, "tokenizer", tokenizer);
    const auto mode = attn::parse_tokenizer_mode(tokenizer);
    if (!mode) throw std::invalid_argument("key 'tokenizer' has unknown value '" + tokenizer + "'");
    next.input.tokenizer = *mode;
  });
  if (j.contains("config")) refusals.take([&] { config_from_json(j.at("config"), next.input.config, refusals); });
  refusals.take([&] { read_json_key(j, "d_model_given", next.input.d_model_given); });
  refusals.take([&] { read_json_key(j, "weights", next.input.weights_path); });
  // An opened model (a Hugging Face folder); a session without the key has none.
  next.model_path.clear();
  next.model_layer = 0;
  refusals.take([&] { read_json_key(j, "model", next.model_path); });
  refusals.take([&] {
    read_json_key(j, "model_layer", next.model_layer);
    if (next.model_layer < 0) {
      next.model_layer = 0;
      throw std::invalid_argument("key 'model_layer' must be 0 or more");
    }
  });
  refusals.take([&] {
    std::vector<std::string> recent = next.recent_models;
    read_json_key(j, "recent_models", recent);
    if (recent.size() > kMaxRecentModels) recent.resize(kMaxRecentModels);  // the oldest go
    next.recent_models = std::move(recent);
  });
  if (j.contains("view")) refusals.take([&] { read_view(j.at("view"), next.view, refusals); });
  refusals.take([&] { read_json_key(j, "selected_head", next.selected_head); });
  refusals.take([&] { read_json_key(j, "export_dir", next.export_dir); });
  refusals.take([&] {
    read_json_key(j, "note", next.note);
    next.note_open = !next.note.empty() && j.contains("note");  // a lesson's note shows when it opens
  });
  refusals.note_unknown_keys(j,
                             {"format", "version", "mode", "text", "tokenizer", "config", "d_model_given", "weights",
                              "model", "model_layer", "recent_models", "view", "selected_head", "export_dir", "note"},
                             "");
  state = std::move(next);
}

}  // namespace

std::string session_to_json(const AppState& s) {
  const nlohmann::json j = {{"format", "attnlab-session"},
                            {"version", 1},
                            {"mode", s.mode == Mode::Train ? "train" : "explore"},
                            {"text", s.input.text},
                            {"tokenizer", std::string(attn::to_string(s.input.tokenizer))},
                            {"config", config_to_json(s.input.config)},
                            {"d_model_given", s.input.d_model_given},
                            {"weights", s.input.weights_path},
                            {"model", s.model_path},
                            {"model_layer", s.model_layer},
                            {"recent_models", s.recent_models},
                            {"view",
                             {{"theme", std::string(theme_info(s.view.theme).name)},
                              {"range", range_name(s.view.range)},
                              {"colormap", std::string(colormap_name(s.view.colormap))},
                              {"ui_scale", s.view.ui_scale},
                              {"show_qkv", s.view.show_qkv},
                              {"show_values", s.view.show_values},
                              {"head_view", s.view.head_view == HeadView::Scores  ? "scores"
                                            : s.view.head_view == HeadView::Lines ? "lines"
                                                                                  : "weights"}}},
                            {"selected_head", s.selected_head},
                            {"export_dir", s.export_dir},
                            {"note", s.note}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void session_from_json(const std::string& text, AppState& state) {
  const nlohmann::json j = parse_json(text);
  if (!j.is_object() || !j.contains("format") || j.at("format") != "attnlab-session")
    throw std::invalid_argument("not an attnlab session (no \"format\": \"attnlab-session\")");
  int version = 1;
  read_json_key(j, "version", version);
  if (version != 1)
    throw std::invalid_argument("session version " + std::to_string(version) + " is not one this attnlab reads (1)");
  // A session without a note has none: the previous lesson's note does not carry over.
  AppState next = state;
  next.note.clear();
  next.note_open = false;
  read_session_keys(j, next, KeyRefusals());  // only a fully valid file changes anything
  state = std::move(next);
}

std::vector<std::string> settings_from_json(const std::string& text, AppState& state) {
  const nlohmann::json j = parse_json(text);
  if (!j.is_object()) throw std::invalid_argument("not a JSON object");
  std::vector<std::string> dropped;
  const KeyRefusals refusals(dropped);
  if (!j.contains("format") || j.at("format") != "attnlab-session")
    refusals.note(std::string("key 'format' (") + (j.contains("format") ? j.at("format").dump() : "missing") +
                  ") is not \"attnlab-session\"; the keys this attnlab knows were read");
  refusals.take([&] {
    int version = 1;
    read_json_key(j, "version", version);
    if (version != 1)
      throw std::invalid_argument("key 'version' (" + std::to_string(version) +
                                  ") is not one this attnlab reads (1); the keys it knows were read");
  });
  read_session_keys(j, state, refusals);
  state.note_open = false;  // the note was shown when its lesson opened, not at every start
  return dropped;
}

void save_session(const AppState& state, const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) ensure_directory(parent.string());
  attn::write_file_atomic(path, session_to_json(state));
}

void load_session(const std::string& path, AppState& state) {
  try {
    session_from_json(attn::read_file(path, kMaxSessionBytes), state);
    state.lesson = std::filesystem::path(path).stem().string();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {  // never the library's bare text without the file
    throw std::invalid_argument(path + ": not a valid session (" + e.what() + ")");
  }
}

std::string set_aside_unreadable(const std::string& path, std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  for (int n = 1; n <= 1000; ++n) {
    const std::string aside = path + ".unreadable-" + stamp + (n > 1 ? "-" + std::to_string(n) : "");
    // RENAME_NOREPLACE: an earlier set-aside file of the same second is never replaced.
    if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, aside.c_str(), RENAME_NOREPLACE) == 0) return aside;
    if (errno == EEXIST) continue;
    if (errno != EINVAL && errno != ENOSYS)
      throw attn::FileError("cannot move " + path + " aside to " + aside + ": " + std::strerror(errno));
    // A file system without RENAME_NOREPLACE: a hard link also fails rather than replace.
    if (::link(path.c_str(), aside.c_str()) == 0) {
      ::unlink(path.c_str());
      return aside;
    }
    if (errno == EEXIST) continue;
    throw attn::FileError("cannot move " + path + " aside to " + aside + ": " + std::strerror(errno));
  }
  throw attn::FileError("cannot move " + path + " aside: 1000 set-aside copies of this second exist");
}

SettingsLoad load_settings(const std::string& path, AppState& state) {
  SettingsLoad result;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return result;  // a first start
    result.outcome = SettingsLoad::Outcome::Untouchable;
    result.reason = std::strerror(errno);
    return result;
  }
  // Only a regular file (or a link to one) is ever moved aside and replaced: a FIFO, a device or
  // a folder someone put there is left as it is, and no settings are saved over it.
  struct stat target {};
  if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
    result.outcome = SettingsLoad::Outcome::Untouchable;
    result.reason = std::string("it is ") + attn::file_kind_name(st.st_mode) + ", not a file";
    return result;
  }
  if (S_ISLNK(st.st_mode)) {
    if (::stat(path.c_str(), &target) != 0) {
      result.outcome = SettingsLoad::Outcome::Untouchable;
      result.reason = std::string("it is a symbolic link that cannot be followed: ") + std::strerror(errno);
      return result;
    }
    if (!S_ISREG(target.st_mode)) {
      result.outcome = SettingsLoad::Outcome::Untouchable;
      result.reason = std::string("it is a symbolic link to ") + attn::file_kind_name(target.st_mode);
      return result;
    }
  }
  try {
    result.dropped = settings_from_json(attn::read_file(path, kMaxSessionBytes), state);
    result.outcome = SettingsLoad::Outcome::Read;
    return result;
  } catch (const std::exception& e) {  // FileError (unreadable, too large) or not a JSON object
    result.reason = e.what();
  }
  try {
    result.set_aside_path = set_aside_unreadable(path, std::time(nullptr));
    result.outcome = SettingsLoad::Outcome::SetAside;
  } catch (const attn::FileError& e) {
    result.outcome = SettingsLoad::Outcome::Untouchable;
    result.reason += std::string("; ") + e.what();
  }
  return result;
}

std::string SettingsLoad::summary(const std::string& path) const {
  switch (outcome) {
    case Outcome::Missing:
      return "";
    case Outcome::Read: {
      if (dropped.empty()) return "";
      std::string line = "Saved settings: " + std::to_string(dropped.size()) +
                         (dropped.size() == 1 ? " value" : " values") + " left out (";
      for (std::size_t i = 0; i < dropped.size(); ++i) line += (i ? "; " : "") + dropped[i];
      return line + "); the rest restored.";
    }
    case Outcome::SetAside:
      return "Saved settings could not be read (" + reason + "); kept as " + set_aside_path + ", starting fresh.";
    case Outcome::Untouchable:
      return "Saved settings " + path + " not read (" + reason + "); settings will not be saved this time.";
  }
  return "";
}

std::string settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  std::string base;
  if (xdg && *xdg) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home && *home ? home : ".") + "/.config";
  }
  return base + "/attnlab/settings.json";
}

}  // namespace app
