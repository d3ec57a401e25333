// The status bar (what just happened, and what is on screen) and the help window.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void draw_status_bar(UiContext& ctx, double frame_ms, const std::string& lead) {
  ImGui::Separator();
  char info[400] = "";
  if (ctx.state.mode == Mode::Train && ctx.trace) {
    const attn::Trace& t = *ctx.trace;
    std::snprintf(info, sizeof info, "%s%sTrain mode · %zu tokens · %d %s of %d · d_model %d · frame %.1f ms",
                  lead.c_str(), lead.empty() ? "" : " · ", t.n_tokens(), t.config.n_heads, t.config.n_heads == 1 ? "head" : "heads", t.config.resolved_d_head(),
                  t.config.d_model, frame_ms);
  } else if (ctx.hosted && ctx.hosted->result && ctx.trace) {
    const attn::Trace& t = *ctx.trace;
    std::snprintf(info, sizeof info, "%s%s%zu %s · layer %d of %zu · %d %s of %d · d_model %d · forward %.0f ms · frame %.1f ms",
                  lead.c_str(), lead.empty() ? "" : " · ", t.n_tokens(), t.n_tokens() == 1 ? "token" : "tokens", ctx.state.model_layer + 1,
                  ctx.hosted->result->layers.size(), t.config.n_heads, t.config.n_heads == 1 ? "head" : "heads",
                  t.config.resolved_d_head(), t.config.d_model, ctx.hosted->result->compute_ms, frame_ms);
  } else if (ctx.state.mode == Mode::Explore && ctx.model.has_trace()) {
    const attn::Trace& t = ctx.model.trace();
    std::snprintf(info, sizeof info, "%zu %s · %d %s · d_model %d · d_head %d · forward %.2f ms · frame %.1f ms",
                  t.n_tokens(), t.n_tokens() == 1 ? "token" : "tokens", t.config.n_heads,
                  t.config.n_heads == 1 ? "head" : "heads", t.config.d_model, t.config.resolved_d_head(),
                  ctx.model.last_compute_ms(), frame_ms);
  }
  // The message comes first and keeps at least half the line; the numbers take what is left,
  // shortened, or stay away when less than a few words would show.
  const float width = ImGui::GetContentRegionAvail().x;
  const float gap = ImGui::GetStyle().ItemSpacing.x * 2.0f;
  const float info_w = info[0] ? ImGui::CalcTextSize(info).x : 0.0f;
  float left = 0.0f;
  if (!ctx.state.status.empty()) {
    const float status_room = info[0] ? std::max(width * 0.5f, width - info_w - gap) : width;
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.state.status_is_error ? ctx.colors.error : ImGui::GetColorU32(ImGuiCol_Text));
    text_fitted(ctx.layout, "status", ctx.state.status, false, status_room);
    ImGui::PopStyleColor();
    left = ImGui::GetItemRectSize().x + gap;
    ImGui::SameLine();
  }
  const float info_room = width - left;
  if (info[0] && info_room >= ImGui::GetFontSize() * 6.0f) {
    const float shown_w = std::min(info_w, info_room);
    ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - shown_w);
    text_fitted(ctx.layout, "status", info, true, shown_w);
  }
}

void draw_help_window(UiContext& ctx) {
  if (!ctx.state.show_help) return;
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 34.0f, ImGui::GetFontSize() * 30.0f), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Keyboard shortcuts and guide", &ctx.state.show_help)) {
    ImGui::End();
    return;
  }
  static const char* const kShortcuts[][2] = {
      {"F1", "this window"},
      {"F11", "presentation mode: full screen, the controls fold away"},
      {"F12", "save a screenshot of the window"},
      {"Ctrl+S / Ctrl+O", "save / open a session (sentence and settings)"},
      {"Ctrl+E", "export all heads as a PNG figure"},
      {"Ctrl+= / Ctrl+-", "larger / smaller text and controls"},
      {"Ctrl+0", "text size back to the monitor's scale"},
      {"Ctrl+T", "dark / high-contrast light theme"},
      {"Ctrl+R", "per-head colours / one 0-1 scale"},
      {"F10", "the controls, when they are folded away"},
      {"Page Up / Page Down", "more heads when they do not all fit; else the previous / next head in Q/K/V"},
      {"Esc", "back from an enlarged head to the grid"},
      {"Ctrl+Q", "quit"},
  };
  if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    for (const auto& row : kShortcuts) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(row[0]);
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(row[1]);
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::TextWrapped(
      "Mouse: hover a token chip to mark its row and column in every heatmap; hover a cell for its "
      "query, key, weight and raw score; click a head to enlarge it (and show its Q/K/V); "
      "right-click any heatmap to export it.");
  ImGui::Spacing();
  ImGui::TextWrapped(
      "What you see: each token becomes a vector x (embedding + position). Every head projects x "
      "into queries Q, keys K and values V. Row i of a heatmap is query token i; column j is key "
      "token j; the colour is how much token i attends to token j: softmax over j of "
      "Q_i·K_j / (sqrt(d_head) × temperature). Each row sums to 1. The head's output is the "
      "weighted sum of the value rows; all heads are concatenated and mixed by W_O.");
  ImGui::End();
}

}  // namespace app::gui
