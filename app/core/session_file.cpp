// Session JSON: read tolerant of missing keys, strict about wrong ones, never half-applied.
#include "core/session_file.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/config_json.hpp"
#include "core/output_dir.hpp"
#include "engine/npy.hpp"

namespace app {

namespace {

const char* theme_name(Theme t) { return t == Theme::Light ? "light" : "dark"; }
const char* range_name(RangeMode r) { return r == RangeMode::Fixed01 ? "fixed" : "head"; }

void read_view(const nlohmann::json& j, ViewSettings& v) {
  if (!j.is_object()) throw std::invalid_argument("session key 'view' must be an object");
  std::string theme = theme_name(v.theme), range = range_name(v.range),
              cmap(colormap_name(v.colormap));
  read_json_key(j, "theme", theme);
  read_json_key(j, "range", range);
  read_json_key(j, "colormap", cmap);
  read_json_key(j, "ui_scale", v.ui_scale);
  read_json_key(j, "show_qkv", v.show_qkv);
  read_json_key(j, "show_values", v.show_values);
  std::string head_view = v.head_view == HeadView::Scores ? "scores" : v.head_view == HeadView::Lines ? "lines" : "weights";
  read_json_key(j, "head_view", head_view);
  if (head_view != "weights" && head_view != "scores" && head_view != "lines")
    throw std::invalid_argument("unknown head view '" + head_view + "'");
  v.head_view = head_view == "scores" ? HeadView::Scores : head_view == "lines" ? HeadView::Lines : HeadView::Weights;
  if (theme != "light" && theme != "dark") throw std::invalid_argument("unknown theme '" + theme + "'");
  v.theme = theme == "light" ? Theme::Light : Theme::Dark;
  if (range != "head" && range != "fixed") throw std::invalid_argument("unknown range '" + range + "'");
  v.range = range == "fixed" ? RangeMode::Fixed01 : RangeMode::PerHead;
  const auto map = parse_colormap(cmap);
  if (!map || *map == Colormap::Diverging)  // attention weights need a sequential map
    throw std::invalid_argument("unknown colormap '" + cmap + "'");
  v.colormap = *map;
  if (v.ui_scale != 0.0f && !(v.ui_scale >= kMinUiScale && v.ui_scale <= kMaxUiScale))
    v.ui_scale = 0.0f;  // out of range: follow the monitor instead of refusing the whole file
}

}  // namespace

std::string session_to_json(const AppState& s) {
  const nlohmann::json j = {
      {"format", "attnlab-session"},
      {"version", 1},
      {"mode", s.mode == Mode::Train ? "train" : "explore"},
      {"text", s.input.text},
      {"tokenizer", std::string(attn::to_string(s.input.tokenizer))},
      {"config", config_to_json(s.input.config)},
      {"d_model_given", s.input.d_model_given},
      {"weights", s.input.weights_path},
      {"view",
       {{"theme", theme_name(s.view.theme)},
        {"range", range_name(s.view.range)},
        {"colormap", std::string(colormap_name(s.view.colormap))},
        {"ui_scale", s.view.ui_scale},
        {"show_qkv", s.view.show_qkv},
        {"show_values", s.view.show_values},
        {"head_view", s.view.head_view == HeadView::Scores ? "scores" : s.view.head_view == HeadView::Lines ? "lines" : "weights"}}},
      {"selected_head", s.selected_head},
      {"export_dir", s.export_dir}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void session_from_json(const std::string& text, AppState& state) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e400
    throw std::invalid_argument(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("format") || j.at("format") != "attnlab-session")
    throw std::invalid_argument("not an attnlab session (no \"format\": \"attnlab-session\")");
  int version = 1;
  read_json_key(j, "version", version);
  if (version != 1)
    throw std::invalid_argument("session version " + std::to_string(version) + " is not one this attnlab reads (1)");
  AppState next = state;  // only a fully valid file changes anything
  std::string mode_name = next.mode == Mode::Train ? "train" : "explore";
  read_json_key(j, "mode", mode_name);
  if (mode_name != "train" && mode_name != "explore") throw std::invalid_argument("unknown mode '" + mode_name + "'");
  next.mode = mode_name == "train" ? Mode::Train : Mode::Explore;
  read_json_key(j, "text", next.input.text);
  std::string tokenizer(attn::to_string(next.input.tokenizer));
  read_json_key(j, "tokenizer", tokenizer);
  const auto mode = attn::parse_tokenizer_mode(tokenizer);
  if (!mode) throw std::invalid_argument("unknown tokenizer '" + tokenizer + "'");
  next.input.tokenizer = *mode;
  if (j.contains("config")) config_from_json(j.at("config"), next.input.config);
  read_json_key(j, "d_model_given", next.input.d_model_given);
  read_json_key(j, "weights", next.input.weights_path);
  if (j.contains("view")) read_view(j.at("view"), next.view);
  read_json_key(j, "selected_head", next.selected_head);
  read_json_key(j, "export_dir", next.export_dir);
  state = std::move(next);
}

void save_session(const AppState& state, const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) ensure_directory(parent.string());
  attn::write_file_atomic(path, session_to_json(state));
}

void load_session(const std::string& path, AppState& state) {
  try {
    session_from_json(attn::read_file(path), state);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {  // never the library's bare text without the file
    throw std::invalid_argument(path + ": not a valid session (" + e.what() + ")");
  }
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
