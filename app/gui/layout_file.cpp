// --layout FILE: where the last frame put its heatmaps, chips and texts, and the state the GUI
// tests check, as JSON.
#include "gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui_internal.h>

#include <nlohmann/json.hpp>

#include "engine/npy.hpp"

namespace app::gui {

void App::write_layout(const std::string& path) const {
  nlohmann::json heatmaps = nlohmann::json::array(), chips = nlohmann::json::array();
  for (const auto& h : m_layout.heatmaps)
    heatmaps.push_back({{"matrix", h.matrix},
                        {"head", h.head},
                        {"layer", h.layer},
                        {"x", h.x},
                        {"y", h.y},
                        {"w", h.w},
                        {"h", h.h},
                        {"rows", h.rows},
                        {"cols", h.cols},
                        {"visible", {h.visible_top, h.visible_bottom}}});
  nlohmann::json step_json = nullptr;
  const StepThrough& st = m_state.step;
  const std::optional<attn::LayerView> shown = shown_layer();
  const std::optional<attn::LayerView> step_layer = m_state.mode == Mode::Explore ? shown
                                                    : st.layer < m_train_view.run().n_layers()
                                                        ? std::optional(m_train_view.run().layer(st.layer))
                                                        : std::nullopt;
  if (st.open && step_layer && step_layer->n_tokens() > 0) {
    attn::ExplainOptions o;
    o.scale_by_sqrt_d = st.scale_by_sqrt_d;
    o.temperature = st.temperature;
    o.mask = st.mask_off ? 0 : -1;
    const attn::QueryExplanation e = attn::explain_query(*step_layer, st.head, st.query, o);
    step_json = {{"layer", st.layer}, {"head", st.head},      {"query", st.query},   {"key", st.key},
                 {"step", st.step},   {"weights", e.weights}, {"divisor", e.divisor}};
  }
  nlohmann::json train_json = nullptr;
  if (m_progress) {
    const CurvePoint* point = shown_point(*m_progress, m_state.train);
    train_json = {{"step", m_progress->step},
                  {"shown_step", m_train_view.shown_step()},
                  {"running", m_progress->running},
                  {"loss", point ? point->loss : 0.0f},
                  {"accuracy", point ? point->accuracy : 0.0f},
                  {"task", m_progress->model ? m_progress->model->task : ""},
                  {"tokens", m_train_view.run().n_tokens()},
                  {"message", m_progress->message},
                  {"knocked_out", m_state.train.knocked_out},
                  {"text_file", m_progress->text_file},
                  {"bits_per_byte", point ? point->bits_per_byte : 0.0},
                  {"unigram_bpb", m_progress->unigram_bpb},
                  {"bigram_bpb", m_progress->bigram_bpb},
                  {"vocab", m_progress->model ? m_progress->model->model.arch.vocab_size : 0}};
  }
  nlohmann::json opened = nullptr;  // Explore's opened model: what the host holds and shows
  if (hosted()) {
    opened = {{"path", m_state.model_path},
              {"name", m_hosted.model ? m_hosted.model->name : ""},
              {"layer", m_state.model_layer},
              {"tokens_typed", m_hosted.result ? m_hosted.result->tokens_typed : 0},
              {"layers", m_hosted.model ? m_hosted.model->model.arch.n_layers : 0},
              {"loading", m_hosted.loading},
              {"error", m_hosted.error},
              {"load_error", m_hosted.load_error},
              {"text", m_hosted.result ? m_hosted.result->text : ""},
              {"ids", m_hosted.result ? m_hosted.result->run.input.ids : std::vector<std::int32_t>{}}};
  }
  for (const auto& c : m_layout.chips)
    chips.push_back({{"index", c.index}, {"x", c.x}, {"y", c.y}, {"w", c.w}, {"h", c.h}});
  nlohmann::json texts = nlohmann::json::array();
  for (const auto& t : m_layout.texts)
    texts.push_back({{"kind", t.kind},
                     {"text", t.text},
                     {"window", t.window},
                     {"x", t.x},
                     {"y", t.y},
                     {"w", t.w},
                     {"h", t.h},
                     {"cut", t.cut}});
  int w = 0, h = 0;
  glfwGetFramebufferSize(m_window, &w, &h);
  int window_w = 0, window_h = 0;
  glfwGetWindowSize(m_window, &window_w, &window_h);
  const nlohmann::json j = {
      {"framebuffer", {w, h}},
      {"window", {window_w, window_h}},
      {"ui_scale", ui_scale()},
      {"presentation", m_state.presentation},
      {"controls_open", m_state.controls_open},
      {"head_page", m_state.head_page},
      // ImGui's keyboard-navigation frame is drawn around an item: a shortcut
      // must never leave one (tests check it stays off).
      {"nav_highlight", GImGui->NavWindow != nullptr && GImGui->NavId != 0 && !GImGui->NavDisableHighlight},
      {"heatmaps", heatmaps},
      {"chips", chips},
      {"texts", texts},
      {"recent_models", m_state.recent_models},
      {"error", hosted() ? m_hosted.error : m_model.error()},
      {"status", m_state.status},
      {"frames_while_exporting", m_frames_while_exporting},
      {"closing_frames", m_closing_frames},
      {"hovered_token", m_state.hovered_token},
      {"mode", m_state.mode == Mode::Train ? "train" : "explore"},
      {"train", train_json},
      {"opened_model", opened},
      {"step_through", step_json},
      {"tokens", shown ? shown->n_tokens() : 0},
      {"token_message", m_model.has_run() ? m_model.run().tokenization.message : ""}};
  attn::write_file_atomic(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace app::gui
