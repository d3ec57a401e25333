// Exports from the window: the figure follows what is on screen (theme, colormap, range), the
// file goes into the export folder under a fresh name, and the status bar says where.
#include <ctime>
#include <filesystem>

#include "export/export.hpp"
#include "export/export_paths.hpp"
#include "gui/app.hpp"

namespace app::gui {

void App::run_export(const ExportChoice& choice) {
  if (!m_model.has_trace()) {
    set_status("Nothing to export yet: the model has not produced a result", true);
    return;
  }
  const attn::Trace& trace = m_model.trace();
  ExportRequest request;
  request.kind = choice.what;
  request.head = choice.head;
  request.format = choice.format;
  request.options.theme = m_state.view.theme == Theme::Light ? FigureTheme::Light : FigureTheme::Dark;
  request.options.colormap = m_state.view.colormap;
  request.options.per_head_range = m_state.view.range == RangeMode::PerHead;
  request.options.show_values = m_state.view.show_values;
  request.options.scale = 2;  // crisp on slides and in print
  const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
  request.path = unique_path(dir + "/" +
                             suggested_file_name(m_model.traced_input().text, export_part_name(choice.what, choice.head),
                                                 std::string(format_extension(choice.format)), std::time(nullptr)));
  try {
    export_trace(trace, m_model.traced_input(), request);
    set_status("Saved " + request.path, false);
  } catch (const std::exception& e) {
    set_status(std::string("Export failed: ") + e.what(), true);
  }
}

}  // namespace app::gui
