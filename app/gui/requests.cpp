// What a frame asked for, run after it: the shortcuts (the command table's actions, gui/commands),
// the panels' requests, the path prompt's answer, full screen and screenshots.
#include "gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <ctime>
#include <filesystem>

#include "core/lessons.hpp"
#include "core/session_file.hpp"
#include "export/export_paths.hpp"
#include "gui/commands.hpp"
#include "gui/screenshot.hpp"
#include "gui/train_controller.hpp"

namespace app::gui {

void App::handle_shortcuts(Requests& requests) {
  CommandTarget target{m_state, requests, m_train_commands, m_progress && m_progress->running, ui_scale()};
  gui::handle_shortcuts(target);
}

void App::handle_requests(const Requests& r) {
  if (r.quit) request_quit();
  if (r.toggle_fullscreen) toggle_presentation();
  // A screenshot is taken from the next frame's back buffer, which has no menu open.
  if (r.screenshot) {
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    m_pending_screenshot =
        unique_path(dir + "/" + suggested_file_name(m_state.input.text, "screenshot", "png", std::time(nullptr)));
  }
  if (r.open_session || r.save_session || r.choose_export_dir) {
    m_prompt.open = true;
    m_prompt.error.clear();
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    if (r.choose_export_dir) {
      m_prompt.kind = PathPrompt::Kind::ExportFolder;
      m_prompt.path = dir;
    } else {
      m_prompt.kind = r.save_session ? PathPrompt::Kind::SaveSession : PathPrompt::Kind::OpenSession;
      m_prompt.path = dir + (r.save_session ? "/lesson.json" : "/");
    }
  }
  if (r.export_choice) run_export(*r.export_choice);
  if (r.train_export) run_train_export(*r.train_export);
  if (m_background_export.valid()) ++m_frames_while_exporting;
  finish_background_export();
  for (TrainCommand& command : m_train_commands) m_host.post(std::move(command));
  if (!m_train_commands.empty()) settle_scripted_run();
  m_train_commands.clear();
  if (!r.lesson.empty()) open_any_model(lesson_path(r.lesson));
  if (!r.open_model_path.empty()) open_any_model(r.open_model_path);
  if (r.close_model) close_hosted_model();
  if (r.continue_text) continue_hosted_text();
  if (r.save_hf_folder || r.choose_text_file) {
    m_prompt.open = true;
    m_prompt.error.clear();
    m_prompt.kind = r.save_hf_folder ? PathPrompt::Kind::SaveHfFolder : PathPrompt::Kind::TextFile;
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    m_prompt.path = dir + (r.save_hf_folder ? "/attnlab-gpt2/" : "/");
  }
  if (r.open_model || r.save_model) {
    m_prompt.open = true;
    m_prompt.error.clear();
    m_prompt.kind = r.save_model ? PathPrompt::Kind::SaveModel : PathPrompt::Kind::OpenModel;
    const std::string dir = m_state.export_dir.empty() ? default_export_dir() : m_state.export_dir;
    m_prompt.path = r.save_model
                        ? dir + "/" + (m_progress && m_progress->model ? m_progress->model->task : "model") + ".npz"
                        : lesson_models_dir() + "/";
  }
  // What the mouse was over in this frame is what the next frame highlights.
  m_state.hovered_token = r.hover_token;
  m_state.hovered_query = r.hover_query;
  m_state.hovered_key = r.hover_key;
}

void App::toggle_fullscreen() {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (!m_fullscreen) {
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    if (!mode) {
      set_status("Full screen is not available: no monitor found", true);
      return;
    }
    glfwGetWindowPos(m_window, &m_windowed_x, &m_windowed_y);
    glfwGetWindowSize(m_window, &m_windowed_w, &m_windowed_h);
    glfwSetWindowMonitor(m_window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else {
    glfwSetWindowMonitor(m_window, nullptr, m_windowed_x, m_windowed_y, m_windowed_w, m_windowed_h, 0);
  }
  m_fullscreen = !m_fullscreen;
  m_state.fullscreen = m_fullscreen;
}

void App::toggle_presentation() {
  m_state.presentation = !m_state.presentation;
  m_state.controls_open = false;
  // Full screen follows where there is a monitor to fill; the folded controls work without it.
  if (m_fullscreen != m_state.presentation) toggle_fullscreen();
}

void App::take_screenshot(const std::string& path) {
  int w = 0, h = 0;
  glfwGetFramebufferSize(m_window, &w, &h);
  try {
    write_framebuffer_png(path, w, h);
    set_status("Saved screenshot " + path, false);
  } catch (const std::exception& e) {
    set_status(std::string("Screenshot not saved: ") + e.what(), true);
  }
}

void App::act_on_prompt(const std::string& path) {
  try {
    switch (m_prompt.kind) {
      case PathPrompt::Kind::OpenSession: {
        AppState next = m_state;
        load_session(path, next);
        // The session's model: opened off the UI thread (the one shown stays until it has
        // loaded), or none: back to random weights.
        const std::string model = next.model_path;
        next.model_path = m_state.model_path;
        m_state = std::move(next);
        if (model.empty() && !m_state.model_path.empty())
          close_hosted_model();
        else if (!model.empty() && model != m_state.model_path)
          open_any_model(model);
        set_status("Opened session " + path, false);
        break;
      }
      case PathPrompt::Kind::SaveSession:
        save_session(m_state, path);
        set_status("Saved session " + path, false);
        break;
      case PathPrompt::Kind::OpenModel:
        if (!open_any_model(path)) throw std::invalid_argument(m_state.status);
        break;
      case PathPrompt::Kind::SaveModel:
        save_model(path);
        set_status("Saved model " + path, false);
        break;
      case PathPrompt::Kind::SaveHfFolder:
        save_hf_folder(path);
        set_status("Saved the model as a Hugging Face GPT-2 folder " + path, false);
        break;
      case PathPrompt::Kind::TextFile:
        choose_text_file(m_state.train, path);
        set_status("Learning a BPE on " + path + ", then a new model trains on it", false);
        break;
      case PathPrompt::Kind::ExportFolder: {
        std::error_code ec;
        if (!std::filesystem::is_directory(path, ec)) throw std::invalid_argument(path + " is not a folder");
        m_state.export_dir = path;
        set_status("Exports now go to " + path, false);
        break;
      }
    }
    m_prompt.open = false;
    m_prompt.error.clear();
    ImGui::CloseCurrentPopup();
  } catch (const std::exception& e) {
    m_prompt.error = e.what();  // the prompt stays open so the person can fix the path
  }
}

}  // namespace app::gui
