// The step-through: one query's attention in eight steps, each with its formula and the model's
// real numbers (attn::explain_query), bars for the per-key steps, and the toggles that teach.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "core/value_format.hpp"
#include "gui/commands.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

constexpr int kSteps = 8;
const char* const kStepTitles[kSteps] = {
    "1. The query token's input vector x",
    "2. q = x W_q + b_q for this head, and every key's k and value's v",
    "3. One dot product per key: q \xC2\xB7 k_j",
    "4. Divided by sqrt(d_head) \xC3\x97 temperature",
    "5. The mask: keys after the query are out",
    "6. Softmax: subtract the row maximum, exp, sum, divide",
    "7. Each weight times its value vector, and their sum",
    "8. All heads side by side (concat), times W_O plus bias",
};

// A vector as "[a, b, c, …, y, z] (n values)", the whole of it on hover.
void vector_line(const char* name, const float* v, std::size_t n) {
  const std::string s = std::string(name) + " = " + format_vector(v, n);
  ImGui::TextUnformatted(shorten_to_width(s, ImGui::GetContentRegionAvail().x).c_str());
  if (ImGui::IsItemHovered()) {
    std::string all;
    for (std::size_t i = 0; i < n; ++i) all += (i ? (i % 8 ? ", " : ",\n") : "") + format_short(v[i]);
    ImGui::SetTooltip("%s (%zu values):\n%s", name, n, all.c_str());
  }
}

// One labelled horizontal bar per key: label | bar from the zero line | value. Masked keys grey.
// Weights (`colors` given) take their cell's color in the head's heatmap: the same map and range.
void key_bars(const char* id, const std::vector<float>& values, const std::vector<char>& masked,
              const std::vector<std::string>& labels, bool weights, int highlight,
              const AttentionColors& colors = {Colormap::Viridis, 0.0f, 1.0f}) {
  const float font = ImGui::GetFontSize();
  const float label_w = std::min(font * 7.0f, ImGui::GetContentRegionAvail().x * 0.3f);
  const float value_w = ImGui::CalcTextSize("-0.0000e-00").x;
  const float bar_w = std::max(font * 4.0f, ImGui::GetContentRegionAvail().x - label_w - value_w - font);
  float lo = 0.0f, hi = 0.0f;
  for (std::size_t j = 0; j < values.size(); ++j)
    if (!masked[j] && std::isfinite(values[j])) lo = std::min(lo, values[j]), hi = std::max(hi, values[j]);
  if (weights) lo = 0.0f, hi = std::max(hi, 1e-6f);
  const float span = std::max(hi - lo, 1e-12f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  ImGui::PushID(id);
  for (std::size_t j = 0; j < values.size(); ++j) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    const bool is_masked = masked[j] != 0;
    const std::string label = shorten_to_width(labels[j], label_w - font * 0.3f);
    dl->AddText(ImVec2(p.x + label_w - font * 0.3f - ImGui::CalcTextSize(label.c_str()).x, p.y),
                is_masked                          ? dim
                : static_cast<int>(j) == highlight ? IM_COL32(255, 140, 0, 255)
                                                   : text,
                label.c_str());
    const float zero = p.x + label_w + bar_w * (0.0f - lo) / span;
    const float end = p.x + label_w + bar_w * (std::clamp(values[j], lo, hi) - lo) / span;
    ImU32 fill = IM_COL32(120, 150, 220, 255);
    if (weights) {
      const Rgb8 c = colormap_color(colors.map, normalize(values[j], colors.low, colors.high));
      fill = IM_COL32(c.r, c.g, c.b, 255);
    }
    if (is_masked) fill = IM_COL32(110, 110, 110, 120);
    if (!is_masked)
      dl->AddRectFilled(ImVec2(std::min(zero, end), p.y + h * 0.15f),
                        ImVec2(std::max(zero, end) + 1.0f, p.y + h * 0.85f), fill);
    const std::string value = is_masked ? "masked" : format_short(values[j]);
    dl->AddText(ImVec2(p.x + label_w + bar_w + font * 0.5f, p.y), is_masked ? dim : text, value.c_str());
    ImGui::Dummy(ImVec2(label_w + bar_w + value_w, h));
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("key %zu: %s\n%s", j + 1, labels[j].c_str(),
                        is_masked ? "masked (after the query)" : value.c_str());
  }
  ImGui::PopID();
}

void draw_step(UiContext& ctx, const attn::QueryExplanation& e, int step) {
  const std::vector<std::string>& labels = ctx.view.token_labels;
  const std::string query_label = labels[static_cast<std::size_t>(e.query)];
  const std::size_t n = static_cast<std::size_t>(e.n_keys), D = static_cast<std::size_t>(e.d_head);
  ImGui::TextWrapped("%s", kStepTitles[step - 1]);
  ImGui::Indent();
  switch (step) {
    case 1:
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
      ImGui::TextWrapped("The row of \xE2\x80\x9C%s\xE2\x80\x9D that enters attention%s.", query_label.c_str(),
                         ctx.state.mode == Mode::Train || ctx.hosted ? " (the LayerNorm of the residual stream)"
                                                                     : " (embedding + position)");
      ImGui::PopStyleColor();
      vector_line("x", e.x.data(), e.x.size());
      break;
    case 2:
      vector_line("q", e.q.data(), D);
      for (std::size_t j = 0; j < n && j < 64; ++j) {
        const std::string k = "k[" + labels[j] + "]", v = "v[" + labels[j] + "]";
        vector_line(k.c_str(), e.k.data() + j * D, D);
        vector_line(v.c_str(), e.v.data() + j * D, D);
      }
      break;
    case 3:
      key_bars("dots", e.dots, std::vector<char>(n, 0), labels, false, -1);
      break;
    case 4:
      ImGui::Text("divisor = %s  (%s)", format_short(e.divisor).c_str(),
                  ctx.state.step.scale_by_sqrt_d ? "sqrt(d_head) \xC3\x97 temperature"
                                                 : "temperature only: the scaling is off");
      key_bars("scaled", e.scaled, std::vector<char>(n, 0), labels, false, -1);
      break;
    case 5:
      key_bars("masked", e.scaled, e.masked, labels, false, -1);
      break;
    case 6: {
      ImGui::Text("row maximum = %s   sum of exp(score - max) = %s", format_short(e.row_max).c_str(),
                  format_short(e.sum).c_str());
      ImGui::TextDisabled("exp(score - max):");
      key_bars("exps", e.exps, e.masked, labels, false, -1);
      ImGui::TextDisabled("weights = exp / sum (the heatmap's row, in its colors):");
      int top = 0;
      for (std::size_t j = 1; j < n; ++j)
        if (e.weights[j] > e.weights[static_cast<std::size_t>(top)]) top = static_cast<int>(j);
      const int key = ctx.state.step.key >= 0 && ctx.state.step.key < e.n_keys ? ctx.state.step.key : top;
      key_bars("weights", e.weights, e.masked, labels, true, key, attention_colors(ctx, e.head));
      break;
    }
    case 7:
      for (std::size_t j = 0; j < n && j < 64; ++j) {
        if (e.masked[j]) continue;
        const std::string name = format_short(e.weights[j]) + " \xC3\x97 v[" + labels[j] + "]";
        vector_line(name.c_str(), e.weighted.data() + j * D, D);
      }
      vector_line("head output (their sum)", e.head_out.data(), D);
      break;
    case 8:
      vector_line("concat (every head's output for this token)", e.concat.data(), e.concat.size());
      if (!e.out.empty()) vector_line("out = concat W_O + b_O", e.out.data(), e.out.size());
      if (ctx.state.mode == Mode::Train || ctx.hosted)
        ImGui::TextDisabled("In the trained model this is added to the residual stream.");
      break;
    default:
      break;
  }
  ImGui::Unindent();
}

}  // namespace

void draw_step_through(UiContext& ctx, const attn::OutProjection& projection, ImVec2 size) {
  StepThrough& st = ctx.state.step;
  if (!ctx.shown || ctx.shown->n_tokens() == 0) return;
  const int n = static_cast<int>(ctx.shown->n_tokens());
  st.query = std::clamp(st.query, 0, n - 1);
  st.head = std::clamp(st.head, 0, ctx.shown->config.n_heads - 1);
  attn::ExplainOptions options;
  options.scale_by_sqrt_d = st.scale_by_sqrt_d;
  options.temperature = st.temperature;
  options.mask = st.mask_off ? 0 : -1;
  const attn::QueryExplanation e = attn::explain_query(*ctx.shown, st.head, st.query, options, projection);

  ImGui::BeginChild("step_through", size, false);
  const std::string& query = ctx.view.token_labels[static_cast<std::size_t>(st.query)];
  char title[256];
  if (ctx.state.mode == Mode::Train || ctx.hosted)
    std::snprintf(title, sizeof title, "Step through: layer %d, head %d, query %d \xE2\x80\x9C%s\xE2\x80\x9D",
                  (ctx.hosted ? ctx.state.model_layer : st.layer) + 1, st.head + 1, st.query + 1, query.c_str());
  else
    std::snprintf(title, sizeof title, "Step through: head %d, query %d \xE2\x80\x9C%s\xE2\x80\x9D", st.head + 1,
                  st.query + 1, query.c_str());
  // Shortened (full text on hover) so its (?) stays in a narrow panel beside an enlarged head.
  text_fitted(ctx.layout, "step_title", title, false,
              ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("(?)").x - ImGui::GetStyle().ItemSpacing.x);
  ImGui::SameLine();
  const std::string help =
      "Every number is the model's own. Click another cell (or row label) to follow another query; " +
      shortcut_text(Command::StepPrevious) + " / " + shortcut_text(Command::StepNext) +
      " or the buttons go through the steps, " + shortcut_text(Command::StepScaling) +
      " turns the scaling on or off, " + shortcut_text(Command::StepAllSteps) + " shows all steps.";
  help_marker(help.c_str());
  // The toolbar wraps instead of running off the panel at a large UI scale.
  const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const auto next_item = [&](float width) {
    const float x = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x;
    if (x + width <= right_edge) ImGui::SameLine();
  };
  const auto button_w = [](const char* label) {
    return ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2.0f;
  };
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  // Every control is recorded for --layout, so the layout sweep sees one cut by a narrow panel.
  if (button(ctx.layout, "< Previous")) st.step = std::max(1, st.step - 1);
  next_item(button_w("Next >"));
  if (button(ctx.layout, "Next >")) st.step = std::min(kSteps, st.step + 1);
  next_item(box + ImGui::CalcTextSize("all steps").x);
  checkbox(ctx.layout, "all steps", &st.all_steps);
  next_item(box + ImGui::CalcTextSize("\xC3\xB7 sqrt(d_head)").x);
  checkbox(ctx.layout, "\xC3\xB7 sqrt(d_head)", &st.scale_by_sqrt_d);
  next_item(box + ImGui::CalcTextSize("mask").x);
  bool masked = !st.mask_off;
  if (checkbox(ctx.layout, "mask", &masked)) st.mask_off = !masked;
  // The slider and its label on one line: the slider gives way when the panel is narrow.
  const float label_w = ImGui::CalcTextSize("temperature").x + ImGui::GetStyle().ItemInnerSpacing.x;
  const float slider_w = std::max(ImGui::GetFontSize() * 3.0f,
                                  std::min(ImGui::GetFontSize() * 7.0f, ImGui::GetContentRegionAvail().x - label_w));
  next_item(slider_w + label_w);
  float temperature = st.temperature > 0.0f ? st.temperature : ctx.shown->config.temperature;
  ImGui::SetNextItemWidth(slider_w);
  if (slider_float(ctx.layout, "temperature", "temperature##step", &temperature, 0.05f, 10.0f, "T %.2f",
                   ImGuiSliderFlags_Logarithmic))
    st.temperature = temperature;
  next_item(button_w("Export PNG"));
  if (button(ctx.layout, "Export PNG"))
    ctx.requests.export_choice = ExportChoice{ExportKind::Step, st.head, ExportFormat::Png, st.layer, st.query};
  next_item(button_w("SVG"));
  if (button(ctx.layout, "SVG"))
    ctx.requests.export_choice = ExportChoice{ExportKind::Step, st.head, ExportFormat::Svg, st.layer, st.query};
  next_item(button_w("PDF"));
  if (button(ctx.layout, "PDF"))
    ctx.requests.export_choice = ExportChoice{ExportKind::Step, st.head, ExportFormat::Pdf, st.layer, st.query};
  next_item(button_w("Close"));
  if (button(ctx.layout, "Close")) st.open = false;
  ImGui::Separator();
  ImGui::BeginChild("steps", ImVec2(0.0f, 0.0f), false);
  if (st.all_steps) {
    for (int s = 1; s <= kSteps; ++s) {
      draw_step(ctx, e, s);
      ImGui::Spacing();
    }
  } else {
    draw_step(ctx, e, std::clamp(st.step, 1, kSteps));
  }
  ImGui::EndChild();
  ImGui::EndChild();
}

}  // namespace app::gui
