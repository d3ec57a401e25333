// Which heads matter for this sentence: a layers x heads map of how much the model's answer (the
// log-probability of its most likely next token) changes when each head is knocked out, filled
// in as the worker measures it. Click a head to keep it knocked out and watch the rest change.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/detector_notes.hpp"
#include "engine/text/token_text.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

void draw_head_importance(UiContext& ctx, ImVec2 size) {
  if (!ctx.hosted || !ctx.hosted->result || !ctx.hosted->model) return;
  const ModelResult& result = *ctx.hosted->result;
  const attn::Arch& arch = ctx.hosted->model->model.arch;
  const int L = arch.n_layers, H = arch.n_heads;
  const float start_y = ImGui::GetCursorScreenPos().y;
  const ImGuiStyle& style = ImGui::GetStyle();
  const HeadImportance* map =
      ctx.hosted->importance && ctx.hosted->importance->of == &result ? ctx.hosted->importance.get() : nullptr;

  // What is measured, and how far the worker has got.
  std::string lead = "Which heads matter: each head knocked out in turn";
  if (map && map->target >= 0) {
    char base[64];
    std::snprintf(base, sizeof base, " (now %.0f%%)", 100.0 * std::exp(static_cast<double>(map->base_logprob)));
    lead += ", the change in log p(\xE2\x80\x9C" + attn::token_text(ctx.hosted->model->bpe.token_bytes(map->target)) +
            "\xE2\x80\x9D next)" + base +
            ". Blue: the model needs the head for this answer; red: the head holds it back. Click a head to knock it "
            "out (again to restore).";
  }
  text_fitted(ctx.layout, "label", lead, true);
  if (!map || map->done < map->total) {
    const float done = map && map->total > 0 ? static_cast<float>(map->done) / static_cast<float>(map->total) : 0.0f;
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%d of %d heads", map ? map->done : 0, L * H);
    progress_bar(ctx.layout, done,
                 ImVec2(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 20.0f), 0.0f), overlay);
  }
  if (!map) return;

  // The color scale: symmetric around 0, as large as the largest change measured.
  float m = 1e-3f;
  for (const float d : map->delta)
    if (std::isfinite(d)) m = std::max(m, std::fabs(d));
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float left = ImGui::CalcTextSize("L00").x + style.ItemSpacing.x;
  const float top = ImGui::GetTextLineHeightWithSpacing();
  const float room_h = size.y - (origin.y - start_y) - ImGui::GetTextLineHeightWithSpacing();
  const float cell =
      std::floor(std::min((size.x - left) / static_cast<float>(H), (room_h - top) / static_cast<float>(L)));
  if (cell < 6.0f) {
    text_fitted(ctx.layout, "error", "The window is too small for every head: enlarge it.", false);
    return;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int h = 0; h < H; ++h) {
    char label[16];
    std::snprintf(label, sizeof label, "H%d", h + 1);
    ImGui::SetCursorScreenPos(ImVec2(
        origin.x + left + (static_cast<float>(h) + 0.5f) * cell - ImGui::CalcTextSize(label).x * 0.5f, origin.y));
    text_disabled(ctx.layout, "axis", label);
  }
  const bool numbers = ImGui::CalcTextSize("-0.00").x + 4.0f <= cell;
  int hovered = -1;
  for (int l = 0; l < L; ++l) {
    const float y = origin.y + top + static_cast<float>(l) * cell;
    char label[16];
    std::snprintf(label, sizeof label, "L%d", l + 1);
    ImGui::SetCursorScreenPos(ImVec2(origin.x, y + (cell - ImGui::GetTextLineHeight()) * 0.5f));
    text_disabled(ctx.layout, "axis", label);
    for (int h = 0; h < H; ++h) {
      const std::size_t i = static_cast<std::size_t>(l * H + h);
      const float d = map->delta[i];
      const ImVec2 min(origin.x + left + static_cast<float>(h) * cell, y), max(min.x + cell - 1.0f, y + cell - 1.0f);
      const bool out = !result.knocked_out.empty() && result.knocked_out[i];
      if (std::isfinite(d)) {
        const Rgb8 c = colormap_color(Colormap::Diverging, 0.5f + 0.5f * d / m);
        dl->AddRectFilled(min, max, IM_COL32(c.r, c.g, c.b, 255));
        if (numbers && !out) {
          char value[16];
          std::snprintf(value, sizeof value, "%.2f", static_cast<double>(d));
          const ImVec2 t = ImGui::CalcTextSize(value);
          const bool dark = std::fabs(d) / m > 0.6f;  // white on the strong ends of the map
          const ImU32 ink = dark ? IM_COL32(255, 255, 255, 255) : IM_COL32(0, 0, 0, 255);
          // What the head does on this sentence under its number, when the cell has the room
          // ("induction 0.73"); the tooltip has every score.
          const std::string note = detector_note(result.detectors, l, h);
          const ImVec2 n = ImGui::CalcTextSize(note.c_str());
          const bool with_note = !note.empty() && n.x + 4.0f <= cell && t.y * 3.0f <= cell;
          const float y0 = min.y + (cell - t.y * (with_note ? 2.0f : 1.0f)) * 0.5f;
          dl->AddText(ImVec2(min.x + (cell - t.x) * 0.5f, y0), ink, value);
          if (with_note) dl->AddText(ImVec2(min.x + (cell - n.x) * 0.5f, y0 + t.y), ink, note.c_str());
        }
      } else {
        dl->AddRectFilled(min, max, ImGui::GetColorU32(ImGuiCol_FrameBg));  // not measured yet
      }
      if (out) {  // knocked out: a cross
        dl->AddLine(min, max, IM_COL32(0, 0, 0, 255), 2.0f);
        dl->AddLine(ImVec2(min.x, max.y), ImVec2(max.x, min.y), IM_COL32(0, 0, 0, 255), 2.0f);
      }
      ImGui::SetCursorScreenPos(min);
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::InvisibleButton("##head", ImVec2(cell - 1.0f, cell - 1.0f))) {
        std::vector<std::uint8_t>& mask = ctx.state.hosted_knocked_out;
        mask.resize(static_cast<std::size_t>(L * H), 0);
        mask[i] = mask[i] ? 0 : 1;
      }
      if (ImGui::IsItemHovered()) hovered = static_cast<int>(i);
      ImGui::PopID();
    }
  }
  record_heatmap(ctx.layout, "importance", 0, ImVec2(origin.x + left, origin.y + top),
                 ImVec2(origin.x + left + static_cast<float>(H) * cell, origin.y + top + static_cast<float>(L) * cell),
                 L, H, 0);
  if (hovered >= 0) {
    const float d = map->delta[static_cast<std::size_t>(hovered)];
    char tip[200];
    if (std::isfinite(d))
      std::snprintf(tip, sizeof tip,
                    "Layer %d, head %d knocked out: log p changes by %+.3f (the probability x %.2f).\nClick to %s it.",
                    hovered / H + 1, hovered % H + 1, static_cast<double>(d), std::exp(static_cast<double>(d)),
                    !result.knocked_out.empty() && result.knocked_out[static_cast<std::size_t>(hovered)] ? "restore"
                                                                                                         : "knock out");
    else
      std::snprintf(tip, sizeof tip, "Layer %d, head %d: not measured yet.", hovered / H + 1, hovered % H + 1);
    std::string text = tip;
    text += "\nOn this sentence:" + detector_score_lines(result.detectors, hovered / H, hovered % H);
    ImGui::SetTooltip("%s", text.c_str());
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + top + static_cast<float>(L) * cell));
  ImGui::Dummy(ImVec2(size.x, 0.0f));
}

}  // namespace app::gui
