// Train mode's answer line: the model's most likely next tokens after the last token of the
// example (or the token under the mouse), as bars, and with knock-outs the answer and the loss
// before -> after.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/predictions.hpp"
#include "core/train_model_view.hpp"
#include "engine/text/token_text.hpp"
#include "gui/ui/train_panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

constexpr int kShown = 5;

std::string percent(float p) {
  char s[16];
  if (p > 0.0f && p < 0.005f) return "<1%";  // never "0%" for a token the model still gives a chance
  std::snprintf(s, sizeof s, "%.0f%%", 100.0 * static_cast<double>(p));
  return s;
}

}  // namespace

std::string answer_summary(const TrainModelView& view, const std::vector<std::string>& vocab, const AppState& state) {
  return answer_summary(view.run(), vocab, state);
}

std::string answer_summary(const ModelRun& run, const std::vector<std::string>& vocab, const AppState& state) {
  const int n = static_cast<int>(run.input.ids.size());
  int position = state.hovered_token >= 0 ? state.hovered_token : state.hovered_query;
  if (position < 0 || position >= n) position = n - 1;
  auto top = predictions_after(run, vocab, position, 2);
  if (top.empty()) top = predictions_after(run, vocab, position = n - 1, 2);  // the hovered row is not computed yet
  if (top.empty()) return "";
  std::string s = "next: " + top[0].token + " " + percent(top[0].probability);
  if (top.size() > 1) s += ", " + top[1].token + " " + percent(top[1].probability);
  return s;
}

void draw_predictions(UiContext& ctx, const TrainModelView& view, const std::vector<std::string>& vocab,
                      const TrainProgress& progress) {
  draw_predictions(ctx, view.run(), view.intact_run(), vocab, &progress);
}

void draw_predictions(UiContext& ctx, const ModelRun& run, const ModelRun* intact,
                      const std::vector<std::string>& vocab, const TrainProgress* progress) {
  const int n = static_cast<int>(run.input.ids.size());
  if (n == 0 || vocab.empty()) return;
  // After the hovered token (a chip, or a row of any head), else after the last one.
  int position = ctx.state.hovered_token >= 0 ? ctx.state.hovered_token : ctx.state.hovered_query;
  if (position < 0 || position >= n) position = n - 1;
  auto after = predictions_after(run, vocab, position, kShown);
  if (after.empty())
    after = predictions_after(run, vocab, position = n - 1, kShown);  // the hovered row is not computed yet
  if (after.empty()) return;
  const std::string& token = run.tokens()[static_cast<std::size_t>(position)].text;
  const std::string lead = "next after \xE2\x80\x9C" + attn::token_text(token) + "\xE2\x80\x9D:";
  ImGui::AlignTextToFramePadding();  // words on the bars' baseline
  text_fitted(ctx.layout, "label", lead, true);
  const float em = ImGui::GetFontSize();
  // Wide enough for "100%" inside the frame at any font size.
  const float bar_w =
      std::max(em * 3.0f, ImGui::CalcTextSize("100%").x + ImGui::GetStyle().FramePadding.x * 2.0f + 2.0f);
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  // As many as fit on this one line (the heads below need the height), and never fewer than
  // three: those wrap. The (?) lists all five.
  std::vector<std::string> words;
  float room = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(lead.c_str()).x - button_width("(?)") - spacing -
               (ctx.hosted ? button_width("Continue") + spacing * 2.0f : 0.0f);
  std::size_t fit = 0;
  for (const Prediction& p : after) {
    words.push_back(shorten_to_width(p.token, em * 7.0f));
    room -= spacing + ImGui::CalcTextSize(words.back().c_str()).x + spacing + bar_w;
    if (room >= 0.0f) ++fit;
  }
  const std::size_t shown = std::max<std::size_t>(std::min<std::size_t>(3, after.size()), fit);
  std::string all;
  for (const Prediction& p : after) all += "\n" + p.token + "  " + percent(p.probability);
  for (std::size_t i = 0; i < shown; ++i) {
    const Prediction& p = after[i];
    const std::string& word = words[i];
    same_line_if_fits(ImGui::CalcTextSize(word.c_str()).x + spacing + bar_w);
    ImGui::AlignTextToFramePadding();
    text(ctx.layout, "label", word);
    if (ImGui::IsItemHovered() && word != p.token) ImGui::SetTooltip("%s", p.token.c_str());
    ImGui::SameLine();
    const std::string value = percent(p.probability);
    progress_bar(ctx.layout, p.probability, ImVec2(bar_w, ImGui::GetFrameHeight()), value);
  }
  if (ctx.hosted) {
    // The model writes: its next token appended to the sentence (greedy or sampled, see CONTINUE).
    same_line_if_fits(button_width("Continue"));
    if (button(ctx.layout, "Continue")) ctx.requests.continue_text = true;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(ctx.state.sampling.temperature == 0.0f
                            ? "Append the most likely next token (greedy; set a sampling temperature in the controls)."
                            : "Append a next token drawn at the sampling temperature set in the controls.");
  }
  same_line_if_fits(button_width("(?)"));  // on the bars' line when it fits, never cut
  const std::string help =
      "What the model predicts comes next: the most likely tokens after the last token of "
      "the input (or after the token under the mouse), with their probabilities. In Train "
      "mode, knock a head out (right-click) to see the answer change.\n" +
      all;
  help_marker(ctx.layout, help.c_str());
  if (intact) {
    // Before -> after: the answer at the same position with every head in, and the held-out loss
    // of the model with every head in (once the worker has evaluated it).
    const auto before = predictions_after(*intact, vocab, position, 1);
    std::string line = "knock-out: answer ";
    if (!before.empty()) line += before[0].token + " " + percent(before[0].probability) + " \xE2\x86\x92 ";
    line += after[0].token + " " + percent(after[0].probability);
    const CurvePoint* was = progress ? intact_point(*progress, ctx.state.train) : nullptr;
    const CurvePoint* now = progress ? shown_point(*progress, ctx.state.train) : nullptr;
    if (was && now) {
      char loss[64];
      std::snprintf(loss, sizeof loss, " \xC2\xB7 loss %.3f \xE2\x86\x92 %.3f", static_cast<double>(was->loss),
                    static_cast<double>(now->loss));
      line += loss;
    }
    text_fitted(ctx.layout, "knock_out_change", line, true);
  }
}

}  // namespace app::gui
