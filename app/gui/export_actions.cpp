// Exports from the window: the figure follows what is on screen (theme, colormap, range), the
// file goes into the export folder under a fresh name, and the status bar says where.
#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <optional>

#include "core/detector_notes.hpp"
#include "core/model_run.hpp"
#include "engine/npy.hpp"
#include "export/export.hpp"
#include "export/export_cancel.hpp"
#include "export/export_paths.hpp"
#include "export/figure_render.hpp"
#include "export/model_figures.hpp"
#include "export/opened_model_figures.hpp"
#include "gui/app.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void App::run_export(const ExportChoice& choice) {
  if (choice.model_figure) {
    // A figure of the whole opened model, drawn by the code `attnlab export --what model|importance|
    // predictions` runs, from the model (shared, immutable) and the sentence and knock-outs shown:
    // the same options give the same bytes.
    if (!hosted() || !m_hosted.model || !m_hosted.result) {
      set_status("Nothing to export yet: the model has not read the sentence", true);
      return;
    }
    ModelFigureRequest request;
    request.what = *choice.model_figure;
    request.knocked_out = m_hosted.result->knocked_out;
    FigureOptions options;
    options.theme = m_state.view.theme;
    options.colormap = m_state.view.colormap;
    options.per_head_range = m_state.view.range == RangeMode::PerHead;
    options.show_values = m_state.view.show_values;
    options.scale = 2;  // crisp on slides and in print, as the other figures
    const std::string text = m_hosted.result->text;
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    const std::string path =
        unique_path(dir + "/" +
                    suggested_file_name(text, model_figure_part_name(request.what),
                                        std::string(format_extension(choice.format)), std::time(nullptr)));
    start_background_export(
        path, [model = m_hosted.model, text, request, options, format = choice.format, path]() -> std::string {
          const TextShaper shaper;
          attn::write_file_atomic(
              path, encode_figure(opened_model_figure(*model, text, request, options, shaper), format, shaper));
          return "";
        });
    return;
  }
  // The layer, and the run that holds its numbers: the export runs on its own thread while the
  // window may recompute, so it keeps the run alive.
  std::shared_ptr<const attn::SequenceRun> run;
  int layer = 0;
  if (hosted()) {
    if (m_hosted.result) run = std::shared_ptr<const attn::SequenceRun>(m_hosted.result, &m_hosted.result->run);
    layer = m_state.model_layer;
  } else if (m_state.mode == Mode::Train) {
    run = m_train_view.shared_run();
    layer = choice.layer < run->n_layers() ? choice.layer : m_state.train.enlarged_layer;
  } else {
    run = m_model.shared_run();
  }
  if (!run || run->n_layers() == 0) {
    set_status("Nothing to export yet: the model has not produced a result", true);
    return;
  }
  const attn::LayerView layer_view = run->layer(std::clamp(layer, 0, run->n_layers() - 1));
  ModelInput input = m_model.run_input();
  if (hosted()) {
    input.text = m_hosted.result ? m_hosted.result->text : "";
    input.config = layer_view.config;
  } else if (m_state.mode == Mode::Train) {
    input.text = m_train_view.text();
    input.config = layer_view.config;
  }
  ExportRequest request;
  request.kind = choice.what;
  request.head = choice.head;
  request.query = choice.query;
  // W_O is copied: the export runs on its own thread while the model may change under the window.
  std::vector<float> out_weight, out_bias;
  const auto copy_projection = [&](const float* w, const float* b, std::size_t d_model, std::size_t inner) {
    if (w) out_weight.assign(w, w + d_model * inner);
    if (b) out_bias.assign(b, b + d_model);
  };
  const std::size_t d_model = static_cast<std::size_t>(layer_view.config.d_model);
  const std::size_t inner = static_cast<std::size_t>(layer_view.config.inner_dim());
  if (hosted()) {
    if (m_hosted.model) {
      const attn::BlockParams<const float> b =
          m_hosted.model->model.weights().blocks[static_cast<std::size_t>(m_state.model_layer)];
      copy_projection(b.out_proj_w, b.out_proj_b, d_model, inner);
    }
  } else if (m_state.mode == Mode::Train) {
    const attn::OutProjection p = m_train_view.out_projection(choice.layer);
    copy_projection(p.weight, p.bias, d_model, inner);
  } else if (const attn::MhaWeights* w = m_model.weights()) {
    copy_projection(w->out_proj_weight.data(), w->out_proj_bias.data(), d_model, inner);
  }
  request.format = choice.format;
  request.options.theme = m_state.view.theme;
  request.options.colormap = m_state.view.colormap;
  request.options.per_head_range = m_state.view.range == RangeMode::PerHead;
  request.options.show_values = m_state.view.show_values;
  request.options.scale = 2;  // crisp on slides and in print
  const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
  if (hosted() && m_hosted.model) {
    request.options.caption = opened_caption(*m_hosted.model, m_state.model_layer);
    if (m_hosted.result) request.options.head_notes = detector_notes(m_hosted.result->detectors, m_state.model_layer);
  } else if (m_state.mode == Mode::Train && m_progress && m_progress->model)
    request.options.caption = model_caption(*m_progress->model, choice.layer);
  request.path = unique_path(dir + "/" +
                             suggested_file_name(input.text, export_part_name(choice.what, choice.head),
                                                 std::string(format_extension(choice.format)), std::time(nullptr)));
  start_background_export(request.path,
                          [run, layer_view, input, request, out_weight = std::move(out_weight),
                           out_bias = std::move(out_bias)]() mutable -> std::string {
                            if (!out_weight.empty())
                              request.projection = {out_weight.data(), out_bias.empty() ? nullptr : out_bias.data()};
                            export_layer(layer_view, input, request);
                            return "";
                          });
}

void App::run_train_export(const TrainExport& what) {
  if (!m_progress || !m_progress->model || m_train_view.run().n_layers() == 0) {
    set_status("Nothing to export yet: no model", true);
    return;
  }
  const attn::Checkpoint& spec = *m_progress->model;
  FigureOptions options;
  options.theme = m_state.view.theme;
  options.colormap = m_state.view.colormap;
  options.per_head_range = m_state.view.range == RangeMode::PerHead;
  options.show_values = false;
  const std::string caption = model_caption(spec);
  const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
  const char* part = what.what == TrainExport::What::ModelView ? "model"
                     : what.what == TrainExport::What::Curves  ? "curves"
                                                               : "training";
  const std::string ext = what.what == TrainExport::What::Movie ? "gif" : std::string(format_extension(what.format));
  const std::string path =
      unique_path(dir + "/" + suggested_file_name(m_train_view.text(), part, ext, std::time(nullptr)));
  if (what.what == TrainExport::What::Movie) {
    // Dozens of frames from immutable copies of the run.
    start_background_export(
        path,
        [spec = *m_progress->model, snapshots = m_progress->timeline.to_vector(), curve = m_progress->curve.to_vector(),
         text = m_train_view.text(), options, path]() -> std::string {
          attn::write_file_atomic(path, model_movie_gif(spec, snapshots, curve, text, options));
          return "";
        });
    return;
  }
  // The model view names each head's detector at the shown step, as the window's titles do.
  const CurvePoint* point = shown_point(*m_progress, m_state.train);
  std::optional<attn::DetectorScores> scores;
  if (point) scores = point->detectors;
  start_background_export(path,
                          [what, run = m_train_view.shared_run(), text = m_train_view.text(),
                           curve = m_progress->curve.to_vector(), n_layers = spec.model.arch.n_layers,
                           n_heads = spec.model.arch.n_heads, caption, options, scores, path]() -> std::string {
                            const TextShaper shaper;
                            const Figure figure =
                                what.what == TrainExport::What::ModelView
                                    ? layout_model_figure(*run, text, caption, options, shaper,
                                                          scores ? &*scores : nullptr)
                                    : layout_curves_figure(curve, n_layers, n_heads, caption, options, shaper);
                            attn::write_file_atomic(path, encode_figure(figure, what.format, shaper));
                            return "";
                          });
}

void App::start_background_export(const std::string& path, std::function<std::string()> write) {
  if (m_background_export.valid()) {
    set_status("An export is still being written (" + m_pending_export + "); try again when it is saved", true);
    return;
  }
  m_export_cancel = std::make_shared<std::atomic<bool>>(false);
  m_background_export =
      std::async(std::launch::async, [write = std::move(write), cancel = m_export_cancel]() -> std::string {
        const ExportCancelScope scope(cancel.get());
        try {
          return write();
        } catch (const std::exception& e) {
          return e.what();
        }
      });
  m_pending_export = path;
  set_status("Writing " + path + " …", false);
}

void App::finish_background_export() {
  if (!m_background_export.valid() ||
      m_background_export.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    return;
  const std::string error = m_background_export.get();
  if (error.empty())
    set_status("Saved " + m_pending_export, false);
  else if (m_export_cancel && m_export_cancel->load())
    set_status("Export cancelled: " + m_pending_export + " was not written", false);
  else
    set_status("Export failed: " + error, true);
  if (m_closing) m_quit = true;  // the quit that waited for this export
}

void App::request_quit() {
  // A file being written is never lost by closing: the window stays, says so and offers Cancel.
  if (m_background_export.valid())
    m_closing = true;
  else
    m_quit = true;
}

void App::draw_closing_dialog() {
  if (!m_closing) return;
  ++m_closing_frames;
  const char* title = "Finishing the export";
  if (!ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.9f, ImGui::GetFontSize() * 32.0f), 0.0f));
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings)) return;
  const bool cancelling = m_export_cancel && m_export_cancel->load();
  const std::string line = cancelling ? "Cancelling the export of " + m_pending_export + " …"
                                      : "Writing " + m_pending_export + " … The window closes when it is saved.";
  text_wrapped(m_layout, "label", line);
  ImGui::BeginDisabled(cancelling);
  if (ImGui::Button("Cancel the export and quit") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    if (m_export_cancel) m_export_cancel->store(true);
  }
  ImGui::EndDisabled();
  record_item(m_layout, "button", "Cancel the export and quit");
  ImGui::EndPopup();
}

}  // namespace app::gui
