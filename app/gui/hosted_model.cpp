// Explore with an opened model: the model host computes the sentence off the UI thread, the
// window shows the newest result, one layer at a time in the textures.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "engine/text/token_text.hpp"
#include "gui/app.hpp"
#include "gui/gfx/gl.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void App::take_hosted_model() {
  m_hosted = m_models.state();
  if (m_hosted.model_generation != m_seen_hosted_generation) {
    m_seen_hosted_generation = m_hosted.model_generation;
    if (m_hosted.model) {  // a model opened: it is what Explore shows now
      const OpenedModel& opened = *m_hosted.model;
      m_state.mode = Mode::Explore;
      m_state.model_path = opened.path;
      m_state.model_layer = std::clamp(m_state.model_layer, 0, opened.model.arch.n_layers - 1);
      m_state.step.open = false;
      m_state.enlarged_head = -1;
      m_state.hosted_knocked_out.clear();  // the previous model's heads
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f s", opened.load_seconds);
      set_status("Opened " + opened.name + " (" + seconds + "): " + opened_caption(opened), false);
      if (opened.source != ModelSource::Trained) {  // the picker's recent models, newest first
        std::vector<std::string>& recent = m_state.recent_models;
        recent.erase(std::remove(recent.begin(), recent.end(), opened.path), recent.end());
        recent.insert(recent.begin(), opened.path);
        if (recent.size() > kMaxRecentModels) recent.resize(kMaxRecentModels);
      }
    }
  }
  if (m_hosted.model && hosted()) {  // ] may have gone past the last layer
    m_state.model_layer = std::clamp(m_state.model_layer, 0, m_hosted.model->model.arch.n_layers - 1);
    m_state.step.layer = m_state.model_layer;
  }
  if (m_hosted.load_failures != m_seen_load_failures) {
    m_seen_load_failures = m_hosted.load_failures;
    set_status(m_hosted.load_error, true);
    // The model shown stays; with none yet (a session or --model that named a bad folder) the
    // window falls back to random weights.
    if (!m_hosted.model && !m_hosted.loading) m_state.model_path.clear();
  }
  const std::uint64_t request = m_hosted.result ? m_hosted.result->request : 0;
  if (request != m_hosted_views_of) {
    m_hosted_views.clear();
    if (m_hosted.result)
      for (int l = 0; l < m_hosted.result->run.n_layers(); ++l)
        m_hosted_views.push_back(make_layer_ranges(m_hosted.result->run.layer(l)));
    m_hosted_views_of = request;
  }
}

std::optional<attn::LayerView> App::hosted_layer() const {
  if (!m_hosted.result || m_hosted.result->run.n_layers() == 0) return std::nullopt;
  const attn::SequenceRun& run = m_hosted.result->run;
  return run.layer(std::clamp(m_state.model_layer, 0, run.n_layers() - 1));
}

void App::request_and_upload_hosted(FrameTimes& times) {
  const auto t0 = std::chrono::steady_clock::now();
  m_models.request(m_state.input.text, m_state.hosted_knocked_out);
  if (m_state.model_importance) m_models.want_importance();
  // The predictions after a hovered token need every position's logits (the first answer has the
  // last position's only).
  const int hovered = m_state.hovered_token >= 0 ? m_state.hovered_token : m_state.hovered_query;
  if (hovered >= 0 && m_hosted.result && !m_hosted.result->all_logits &&
      hovered + 1 < static_cast<int>(m_hosted.result->run.input.ids.size()))
    m_models.want_all_logits();
  if (m_options.frames > 0) {
    // Scripted runs (tests, screenshots) show each sentence's result in the frame that typed it.
    m_models.wait_idle();
    take_hosted_model();
  }
  times.recompute_ms = ms_since(t0);
  const std::optional<attn::LayerView> shown = hosted_layer();
  if (!shown) return;
  // The overview: every layer in its own textures (renderer layer l = model layer l), up to
  // kMaxOverviewTokens. Else one layer at a time in slot 0: a 12-layer model's every head of a
  // long sentence would not fit the GPU's memory, and a layer's upload takes well under a frame.
  constexpr int kAllLayers = -2;
  const bool all = m_state.model_overview && shown->n_tokens() <= kMaxOverviewTokens;
  const int layer = all ? kAllLayers : std::clamp(m_state.model_layer, 0, m_hosted.result->run.n_layers() - 1);
  if (m_textures_hosted && m_hosted_uploaded == m_hosted.result->request && m_hosted_uploaded_layer == layer) return;
  const auto t1 = std::chrono::steady_clock::now();
  if (all) {
    for (int l = 0; l < m_hosted.result->run.n_layers(); ++l) m_renderer.upload(m_hosted.result->run.layer(l), l);
  } else {
    m_renderer.upload(*shown);
  }
  if (m_options.bench_ui) glFinish();
  times.upload_ms = ms_since(t1);
  m_hosted_uploaded = m_hosted.result->request;
  m_hosted_uploaded_layer = layer;
  m_textures_hosted = true;
  m_textures_mode = Mode::Explore;
  clamp_head_selection(m_state, shown->config.n_heads);
}

void App::draw_hosted_line(UiContext& ctx) {
  const int n_layers = m_hosted.model ? m_hosted.model->model.arch.n_layers : 0;
  if (n_layers > 0) {
    // Which layer's heads the grid, Q/K/V, the step-through and the lines view show.
    frame_label(ctx.layout, "Layer");
    ImGui::SameLine();
    int shown = m_state.model_layer + 1;
    char format[32];
    std::snprintf(format, sizeof format, "%%d of %d", n_layers);
    const float em = ImGui::GetFontSize();
    ImGui::SetNextItemWidth(std::min(em * 12.0f, ImGui::GetContentRegionAvail().x * 0.5f));
    char value[32];
    std::snprintf(value, sizeof value, "%d of %d", shown, n_layers);
    if (slider_int_shown(ctx.layout, "##model_layer", &shown, 1, n_layers, format, value,
                         ImGuiSliderFlags_AlwaysClamp)) {
      m_state.model_layer = shown - 1;
      m_state.step.layer = m_state.model_layer;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Each layer has its own heads. Early layers tend to look at the previous token or the "
          "first one; later ones mix meaning. [ and ] step through the layers.");
    const char* toggle = m_state.model_overview ? "One layer" : "All layers";
    same_line_if_fits(button_width(toggle) + ImGui::GetStyle().ItemSpacing.x);
    if (button(ctx.layout, toggle)) {
      m_state.model_overview = !m_state.model_overview;
      m_state.model_importance = false;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(m_state.model_overview ? "Back to one layer's heads, with their token labels."
                                               : "Every layer's heads at once, small, each marked with its strongest "
                                                 "pattern on this sentence. Click one to open it.");
    const char* matter = m_state.model_importance ? "Heads" : "Which heads matter";
    same_line_if_fits(button_width(matter) + ImGui::GetStyle().ItemSpacing.x);
    if (button(ctx.layout, matter)) {
      m_state.model_importance = !m_state.model_importance;
      m_state.model_overview = false;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(m_state.model_importance ? "Back to the heads."
                                                 : "Knock out each head in turn and see how much the model's answer "
                                                   "(its most likely next token) depends on it. I toggles it too.");
    int knocked = 0;
    for (const std::uint8_t k : m_state.hosted_knocked_out) knocked += k;
    if (knocked > 0) {
      const std::string restore =
          std::to_string(knocked) + (knocked == 1 ? " head" : " heads") + " knocked out: restore";
      same_line_if_fits(button_width(restore.c_str()) + ImGui::GetStyle().ItemSpacing.x);
      if (button(ctx.layout, restore.c_str())) m_state.hosted_knocked_out.clear();
    }
    // The model's name on the same line when a few words of it fit, else on its own.
    same_line_if_fits(ImGui::GetFontSize() * 8.0f);
  }
  // What the model is doing, why the sentence shown is not the one typed, or what the model is
  // (the numbers of the forward are in the status bar).
  std::string line;
  bool error = false;
  if (m_hosted.loading) {
    char percent[16];
    std::snprintf(percent, sizeof percent, " %.0f%%", 100.0 * m_hosted.loading_fraction);
    line = "Loading " + m_hosted.loading_path + " \xE2\x80\xA6" + percent;
  } else if (!m_hosted.error.empty()) {
    line = m_hosted.error + (m_hosted.result ? " \xC2\xB7 showing the last sentence it could read" : "");
    error = true;
  } else if (m_hosted.model && m_hosted.result && m_hosted.result->tokens_typed > 0) {
    const std::string n = std::to_string(m_hosted.model->model.arch.max_seq_len);
    line = "Showing the first " + n + " of the sentence's " + std::to_string(m_hosted.result->tokens_typed) +
           " tokens: " + m_hosted.model->name + " reads at most " + n;
    error = true;
  } else if (m_hosted.model) {
    line = opened_caption(*m_hosted.model);
  }
  ImGui::AlignTextToFramePadding();
  if (error) ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.error);
  // (a little short of the edge: at a large scale a scrollbar may take the last pixels)
  text_fitted(ctx.layout, error ? "error" : "caption", line, !error,
              ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x);
  if (error) ImGui::PopStyleColor();
}

std::string App::trained_model_problem() const {
  if (!m_progress || !m_progress->model || !m_progress->params) return "Train mode has no model yet";
  if (!m_progress->model->tokenizer)
    return "Train mode's model learned the " + m_progress->model->task +
           " task, whose tokens are not text: train one on English text there to read sentences here";
  return {};
}

bool App::open_any_model(const std::string& path) {
  if (path == kTrainedModelPath) {
    const std::string problem = trained_model_problem();
    if (!problem.empty()) {
      set_status(problem, true);
      return false;
    }
    // A copy at the step shown: training goes on without it.
    m_models.open(std::make_shared<const attn::Checkpoint>(trained_checkpoint(*m_progress)));
  } else if (opens_in_explore(path)) {
    m_models.open(path);  // the status bar says when it has opened, or why not
  } else {
    return open_model(path);
  }
  set_status("Loading " + path + " \xE2\x80\xA6", false);
  if (m_state.model_path.empty()) m_state.model_path = path;  // shows "Loading" until it arrives
  m_state.mode = Mode::Explore;
  return true;
}

void App::continue_hosted_text() {
  if (!hosted() || !m_hosted.model || !m_hosted.result || m_hosted.result->text != m_state.input.text) {
    set_status("Continue: the model has not read this sentence yet", true);
    return;
  }
  const ModelRun& run = m_hosted.result->run;
  const int n = static_cast<int>(run.input.ids.size());
  const attn::Arch& a = m_hosted.model->model.arch;
  if (n >= a.max_seq_len) {
    set_status(
        "Continue: the sentence already has the " + std::to_string(a.max_seq_len) + " tokens this model can read",
        true);
    return;
  }
  const float* last = run.acts.logits.data() + static_cast<std::size_t>(n - 1) * static_cast<std::size_t>(a.vocab_size);
  try {
    const std::int32_t id = attn::sample_next_token(last, a.vocab_size, m_state.sampling, m_sampling_rng);
    const std::string& bytes = m_hosted.model->bpe.token_bytes(id);
    m_state.input.text += bytes;
    set_status("Continued with \xE2\x80\x9C" + attn::token_text(bytes) + "\xE2\x80\x9D (id " + std::to_string(id) + ")",
               false);
  } catch (const std::exception& e) {
    set_status(std::string("Continue: ") + e.what(), true);
  }
}

void App::close_hosted_model() {
  m_models.close();
  m_state.model_path.clear();
  m_state.hosted_knocked_out.clear();
  m_state.model_layer = 0;
  m_state.step.open = false;
  m_state.enlarged_head = -1;
  m_textures_hosted = false;
  set_status("Back to random weights", false);
}

}  // namespace app::gui
