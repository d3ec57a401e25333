// The status bar (what just happened, and what is on screen) and the help window.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "gui/commands.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void draw_status_bar(UiContext& ctx, double frame_ms, const std::string& lead) {
  ImGui::Separator();
  char info[400] = "";
  if (ctx.state.mode == Mode::Train && ctx.shown) {
    const attn::LayerView& t = *ctx.shown;
    std::snprintf(info, sizeof info, "%s%sTrain mode · %zu tokens · %d %s of %d · d_model %d · frame %.1f ms",
                  lead.c_str(), lead.empty() ? "" : " · ", t.n_tokens(), t.config.n_heads,
                  t.config.n_heads == 1 ? "head" : "heads", t.config.resolved_d_head(), t.config.d_model, frame_ms);
  } else if (ctx.hosted && ctx.hosted->result && ctx.shown) {
    const attn::LayerView& t = *ctx.shown;
    std::snprintf(info, sizeof info,
                  "%s%s%zu %s · layer %d of %d · %d %s of %d · d_model %d · forward %.0f ms · frame %.1f ms",
                  lead.c_str(), lead.empty() ? "" : " · ", t.n_tokens(), t.n_tokens() == 1 ? "token" : "tokens",
                  ctx.state.model_layer + 1, ctx.hosted->result->run.n_layers(), t.config.n_heads,
                  t.config.n_heads == 1 ? "head" : "heads", t.config.resolved_d_head(), t.config.d_model,
                  ctx.hosted->result->compute_ms, frame_ms);
  } else if (ctx.state.mode == Mode::Explore && ctx.model.has_run()) {
    const attn::SequenceRun& t = ctx.model.run();
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
    ImGui::PushStyleColor(ImGuiCol_Text,
                          ctx.state.status_is_error ? ctx.colors.error : ImGui::GetColorU32(ImGuiCol_Text));
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

namespace {

// The help's pages: one per mode, and one for the step-through (open in either mode).
enum class HelpPage { Explore, Train, StepThrough };

HelpPage page_of(const AppState& state) {
  if (state.step.open) return HelpPage::StepThrough;
  switch (state.mode) {
    case Mode::Explore:
      return HelpPage::Explore;
    case Mode::Train:
      return HelpPage::Train;
  }
  return HelpPage::Explore;
}

// The rows of one scope as a two-column table: the key as wide as the widest key, the action
// wrapped in the rest, so no column is cut at any scale.
void shortcut_table(UiContext& ctx, const char* id, CommandScope scope) {
  // As wide as the widest key of any page, so the tables of a page line up.
  float key_w = 0.0f;
  for (const CommandRow& row : command_table())
    key_w = std::max(key_w, ImGui::CalcTextSize(shortcut_text(row).c_str()).x);
  if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) return;
  ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, key_w);
  ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthStretch);
  for (const CommandRow& row : command_table()) {
    if (row.scope != scope) continue;
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    const std::string key = shortcut_text(row);
    text(ctx.layout, "help_key", key);
    ImGui::TableSetColumnIndex(1);
    // Wrapped inside the column's clip rectangle, which is a cell padding narrower than its
    // content region: TextWrapped alone lets a line that just fits the region be cut.
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x -
                           ImGui::GetStyle().CellPadding.x * 2.0f);
    text(ctx.layout, "help_action", row.label);
    ImGui::PopTextWrapPos();
  }
  ImGui::EndTable();
}

void heading(UiContext& ctx, const char* text) {
  ImGui::Spacing();
  gui::text(ctx.layout, "help_heading", text);
}

void paragraph(UiContext& ctx, const char* text) {
  ImGui::Spacing();
  text_wrapped(ctx.layout, "help_text", text);
}

const char* const kMouseExplore =
    "Mouse: hover a token chip to mark its row and column in every heatmap; hover a cell for its query, key, "
    "weight and raw score; click a cell (or a query's label) to enlarge its head and step through that query's "
    "attention; right-click a heatmap to export it.";
const char* const kWhatYouSee =
    "What you see: each token becomes a vector x (embedding + position). Every head projects x into queries Q, "
    "keys K and values V. Row i of a heatmap is query token i; column j is key token j; the color is how much "
    "token i attends to token j: softmax over j of Q_i\xC2\xB7K_j / (\xE2\x88\x9A"
    "d_head \xC3\x97 temperature). Each row "
    "sums to 1. The head's output is the weighted sum of the value rows; all heads are concatenated and mixed by W_O.";
const char* const kMouseTrain =
    "Mouse: drag the timeline under the curves to see the heads at an earlier step; click a cell to enlarge its "
    "head and step through that query; right-click a head to knock it out (its output set to 0) and see the loss "
    "and the answer change, or to export it. The answer under the heads is the model's top next tokens after the "
    "last token (or after the hovered one).";
const char* const kOpenedModelText =
    "Model (the first control) picks what reads the sentence: random weights, the English lesson, Train mode's "
    "model, or a GPT-2 folder. The layer selector ([ and ]) picks whose heads you see; All layers (O) shows every "
    "head; Which heads matter (I) knocks out each head in turn (click one to keep it out); Continue (N) lets the "
    "model write.";
const char* const kStepText =
    "The step-through follows one query token through the head in eight steps, each with its formula and the "
    "model's real numbers. Click another cell or query label to follow another query; the toggles show what "
    "the scaling, the mask and the temperature do.";

void help_page(UiContext& ctx, HelpPage page) {
  switch (page) {
    case HelpPage::Explore: {
      // With a model opened from a folder its keys come first; else after the keys of both modes.
      const bool opened = !ctx.state.model_path.empty();
      const auto model_keys = [&] {
        heading(ctx, "Keys with an opened model");
        shortcut_table(ctx, "keys_model", CommandScope::OpenedModel);
        paragraph(ctx, kOpenedModelText);
      };
      if (opened) model_keys();
      heading(ctx, "Keys in both modes");
      shortcut_table(ctx, "keys_everywhere", CommandScope::Everywhere);
      paragraph(ctx, kMouseExplore);
      paragraph(ctx, kWhatYouSee);
      if (!opened) model_keys();
      break;
    }
    case HelpPage::Train:
      heading(ctx, "Keys in Train mode");
      shortcut_table(ctx, "keys_train", CommandScope::Train);
      heading(ctx, "Keys in both modes");
      shortcut_table(ctx, "keys_everywhere", CommandScope::Everywhere);
      paragraph(ctx, kMouseTrain);
      break;
    case HelpPage::StepThrough:
      heading(ctx, "Keys while the step-through is open");
      shortcut_table(ctx, "keys_step", CommandScope::StepThrough);
      paragraph(ctx, kStepText);
      paragraph(ctx, "The keys of the mode you are in work too (the Explore and Train pages).");
      break;
  }
}

}  // namespace

void draw_help_window(UiContext& ctx) {
  if (!ctx.state.show_help) return;
  // As large as the text wants, never larger than the window: the help scrolls instead of being
  // cut at a large UI scale on a small screen.
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const float em = ImGui::GetFontSize();
  const ImVec2 room(viewport->WorkSize.x - em, viewport->WorkSize.y - em);
  ImGui::SetNextWindowSizeConstraints(ImVec2(std::min(em * 12.0f, room.x), std::min(em * 8.0f, room.y)), room);
  ImGui::SetNextWindowSize(ImVec2(std::min(em * 40.0f, room.x), std::min(em * 32.0f, room.y)), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(
      ImVec2(viewport->WorkPos.x + viewport->WorkSize.x * 0.5f, viewport->WorkPos.y + viewport->WorkSize.y * 0.5f),
      ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  const char* title = "Keyboard shortcuts and guide";
  if (!ImGui::Begin(title, &ctx.state.show_help, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  record_title_bar(ctx.layout, title);
  // A larger UI scale may have pushed the window past the screen's edge: back inside.
  const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  const ImVec2 inside(std::clamp(pos.x, viewport->WorkPos.x, viewport->WorkPos.x + viewport->WorkSize.x - size.x),
                      std::clamp(pos.y, viewport->WorkPos.y, viewport->WorkPos.y + viewport->WorkSize.y - size.y));
  if (inside.x != pos.x || inside.y != pos.y) ImGui::SetWindowPos(inside);

  // The page of what is on screen opens first (and again when that changes); the tabs show the
  // others. ImGui's window storage remembers the page shown last: the UI keeps no state of its own.
  const HelpPage now = page_of(ctx.state);
  ImGuiStorage* storage = ImGui::GetStateStorage();
  const ImGuiID last_key = ImGui::GetID("last_page");
  const bool follow = ImGui::IsWindowAppearing() || storage->GetInt(last_key, -1) != static_cast<int>(now);
  storage->SetInt(last_key, static_cast<int>(now));
  if (ImGui::BeginTabBar("pages")) {
    const std::pair<HelpPage, const char*> pages[] = {
        {HelpPage::Explore, "Explore"}, {HelpPage::Train, "Train"}, {HelpPage::StepThrough, "Step-through"}};
    for (const auto& [page, name] : pages) {
      const bool open = ImGui::BeginTabItem(name, nullptr, follow && page == now ? ImGuiTabItemFlags_SetSelected : 0);
      record_framed(ctx.layout, "help_tab", name);
      if (!open) continue;
      ImGui::BeginChild("page");  // the tabs stay while a long page scrolls
      help_page(ctx, page);
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace app::gui
