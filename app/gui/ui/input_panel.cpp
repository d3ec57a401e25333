// The sentence box and its tokens as chips. Hovering a chip marks that token in the text and in
// every heatmap's row and column.
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/text/token_text.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void draw_text_box(UiContext& ctx, std::string& text, const std::string& shown_text, const char* hint) {
  ImGui::SetNextItemWidth(-FLT_MIN);
  const ImVec2 box_min = ImGui::GetCursorScreenPos();
  ImGui::InputTextWithHint("##sentence", hint, &text);
  record_item(ctx.layout, "input", text.empty() ? std::string_view(hint) : std::string_view(text));
  const ImGuiID id = ImGui::GetItemID();
  const ImVec2 box_max = ImGui::GetItemRectMax();

  // Mark the hovered token's bytes in the text (the tokens of the shown run index this text).
  const int t = ctx.state.hovered_token;
  if (t < 0 || !ctx.shown) return;
  const auto& tokens = ctx.typed ? *ctx.typed : ctx.shown->tokens();
  if (t >= static_cast<int>(tokens.size()) || shown_text != text) return;
  const attn::Token& token = tokens[static_cast<std::size_t>(t)];
  if (token.end > text.size()) return;
  float scroll = 0.0f;
  if (const ImGuiInputTextState* state = ImGui::GetInputTextState(id)) scroll = state->ScrollX;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float x0 =
      box_min.x + style.FramePadding.x - scroll + ImGui::CalcTextSize(text.data(), text.data() + token.begin).x;
  const float x1 =
      box_min.x + style.FramePadding.x - scroll + ImGui::CalcTextSize(text.data(), text.data() + token.end).x;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(box_min, box_max, true);
  dl->AddRectFilled(ImVec2(x0, box_min.y + 2.0f), ImVec2(x1, box_max.y - 2.0f), ctx.colors.token_highlight, 3.0f);
  dl->PopClipRect();
}

void draw_token_chips(UiContext& ctx) {
  if (!ctx.shown) return;
  const attn::LayerView& layer_view = *ctx.shown;
  const auto& tokens = layer_view.tokens();
  if (tokens.empty()) {
    text_disabled(ctx.layout, "hint", "No tokens yet.");
    return;
  }
  const ImGuiStyle& style = ImGui::GetStyle();
  const float gap = style.ItemSpacing.x * 0.6f;
  const float width = ImGui::GetContentRegionAvail().x - style.ScrollbarSize;
  const float max_chip = std::min(ImGui::GetFontSize() * 10.0f, width - style.FramePadding.x * 2.0f);

  // First pass: chip sizes and wrapping, so the chip area can be sized (at most three rows,
  // fewer in a short window: the heads need the height more). When the tokens need more rows the
  // chips' text gets smaller (down to half the font, 12 px at least) before the area scrolls, so
  // the last tokens (a task's "it =") stay in view.
  const float font = ImGui::GetFontSize();
  const float row_guess = font + style.FramePadding.y * 2.0f;
  const int max_rows = std::clamp(static_cast<int>(ImGui::GetContentRegionAvail().y / (row_guess * 8.0f)), 1, 3);
  std::vector<std::string> labels(tokens.size());
  std::vector<ImVec2> offsets(tokens.size());
  ImVec2 chip_size;
  float px = std::floor(font), y = 0.0f;
  const float smallest = std::min(px, std::max(12.0f, std::floor(font * 0.5f)));
  for (;; px -= 1.0f) {
    chip_size = ImVec2(0.0f, px + style.FramePadding.y * 2.0f);
    float x = 0.0f;
    y = 0.0f;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      labels[i] = shorten_to_width(attn::token_text(tokens[i].text), max_chip, px);
      const float w = text_width(labels[i], px) + style.FramePadding.x * 2.0f;
      if (x > 0.0f && x + w > width) {
        x = 0.0f;
        y += chip_size.y + style.ItemSpacing.y;
      }
      offsets[i] = ImVec2(x, y);
      x += w + gap;
    }
    const int rows = static_cast<int>(std::lround(y / (chip_size.y + style.ItemSpacing.y))) + 1;
    if (rows <= max_rows || px <= smallest) break;
  }
  const float total = y + chip_size.y;
  const float shown = std::min(
      total, chip_size.y * static_cast<float>(max_rows) + style.ItemSpacing.y * static_cast<float>(max_rows - 1));
  ImGui::BeginChild("chips", ImVec2(0.0f, shown + 2.0f), false);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  int hovered = -1;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const attn::Token& tok = tokens[i];
    const ImVec2 p(origin.x + offsets[i].x, origin.y + offsets[i].y);
    const ImVec2 chip(text_width(labels[i], px) + style.FramePadding.x * 2.0f, chip_size.y);
    ImGui::SetCursorScreenPos(p);
    ImGui::PushID(static_cast<int>(i));
    ImGui::InvisibleButton("chip", chip);
    const bool is_hovered = ImGui::IsItemHovered();
    if (is_hovered) hovered = static_cast<int>(i);
    const bool unknown = ctx.unknown && i < ctx.unknown->size() && (*ctx.unknown)[i];
    if (is_hovered && unknown)
      ImGui::SetTooltip(
          "token %zu: \xE2\x80\x9C%s\xE2\x80\x9D is not in this model's vocabulary,\nso the model "
          "reads it as <unk> (a word it never saw in training)",
          i + 1, ctx.typed ? (*ctx.typed)[i].text.c_str() : tok.text.c_str());
    else if (is_hovered)
      ImGui::SetTooltip("token %zu: %s  (%sbytes %zu-%zu%s%s)%s", i + 1, attn::token_text(tok.text).c_str(),
                        tok.id >= 0 ? ("id " + std::to_string(tok.id) + ", ").c_str() : "", tok.begin, tok.end,
                        tok.invalid ? "" : ": ", tok.invalid ? "" : attn::token_bytes_hex(tok.text).c_str(),
                        tok.invalid ? "\ninvalid UTF-8, shown as \xEF\xBF\xBD" : "");
    ImGui::PopID();
    const bool marked = is_hovered || static_cast<int>(i) == ctx.state.hovered_token ||
                        static_cast<int>(i) == ctx.state.hovered_query || static_cast<int>(i) == ctx.state.hovered_key;
    const ImU32 fill = tok.invalid || unknown ? ctx.colors.chip_invalid
                       : marked               ? ctx.colors.chip_hovered
                                              : ctx.colors.chip;
    dl->AddRectFilled(p, ImVec2(p.x + chip.x, p.y + chip.y), fill, style.FrameRounding);
    const ImVec2 at(p.x + style.FramePadding.x, p.y + style.FramePadding.y);
    draw_text(ctx.layout, dl, "chip", at, ImGui::GetColorU32(ImGuiCol_Text), labels[i], px,
              at.x + chip.x - style.FramePadding.x * 2.0f);
    record_chip(ctx.layout, static_cast<int>(i), p, chip);
  }
  ImGui::EndChild();
  if (hovered >= 0) ctx.hover_token(hovered);
  if (layer_view.tokenization().truncated) {
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.warning);
    text_wrapped(ctx.layout, "warning", layer_view.tokenization().message);
    ImGui::PopStyleColor();
  }
}

void draw_explore_caption(UiContext& ctx) {
  AppState& state = ctx.state;
  if (!ctx.hosted) {  // an opened model's line is its layer selector with its name (the app draws it)
    std::string line = state.lesson.empty() ? "" : "Lesson " + state.lesson + "  \xC2\xB7  ";
    // A heatmap of random weights looks as confident as a trained one: say what it is.
    line += state.input.weights_path.empty()
                ? "random weights: the patterns show the mechanism, not meaning"
                : "weights from " + std::filesystem::path(state.input.weights_path).filename().string();
    text_fitted(ctx.layout, "caption", line, true);
  }

  if (state.note_open && !state.note.empty() && !ImGui::IsPopupOpen("Teacher's note"))
    ImGui::OpenPopup("Teacher's note");
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const float em = ImGui::GetFontSize();
  ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.9f, em * 28.0f), 0.0f));
  ImGui::SetNextWindowPos(
      ImVec2(viewport->WorkPos.x + viewport->WorkSize.x * 0.5f, viewport->WorkPos.y + viewport->WorkSize.y * 0.5f),
      ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal("Teacher's note", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings))
    return;
  record_title_bar(ctx.layout, "Teacher's note");
  const std::string title = state.lesson.empty() ? "This lesson" : "Lesson " + state.lesson;
  text(ctx.layout, "note", title);
  ImGui::Separator();
  text_wrapped(ctx.layout, "note", state.note);
  ImGui::Spacing();
  if (button(ctx.layout, "Close") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false)) {
    state.note_open = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

}  // namespace app::gui
