// Train mode: controls, model view, curves and timeline.
#include "gui/ui/train_panels.hpp"
#include "gui/commands.hpp"
#include "gui/ui/color_legend.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "core/process_memory.hpp"
#include "core/tensor_catalog.hpp"
#include "core/train_memory.hpp"
#include "core/train_text.hpp"
#include "gui/ui/grid_plan.hpp"
#include "gui/ui/heatmap_widget.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

// choices_problem, then whether training the choices fits in memory. The training worker asks
// the same before it allocates; asking here too keeps choices that cannot fit from being applied,
// so the controls never show a model the worker refused. The machine's available memory is read
// at most once a second, not once a frame.
std::string problem_with(const TrainChoices& c, bool d_head_auto) {
  const std::string problem = choices_problem(c, d_head_auto);
  if (!problem.empty()) return problem;
  static std::optional<std::uint64_t> available;
  static double read_at = -1.0;
  if (read_at < 0.0 || ImGui::GetTime() - read_at >= 1.0) {
    available = available_memory_bytes();
    read_at = ImGui::GetTime();
  }
  return window_training_refusal(c.arch, c.run, c.settings, available);
}

const char* positional_label(attn::Positional p) {
  switch (p) {
    case attn::Positional::None:
      return "none";
    case attn::Positional::Sinusoidal:
      return "sinusoidal";
    case attn::Positional::Learned:
      return "learned table";
    case attn::Positional::Rope:
      return "rotary (RoPE)";
  }
  return "?";
}

// "layer 2, head 1: induction 0.89", one line per detector of the task; a knocked-out head's
// score is its attention pattern's, which a knock-out leaves as it was: the line says it is out.
std::vector<std::string> detector_lines(const CurvePoint& point, const TrainState& t, int n_heads) {
  std::vector<std::string> lines;
  for (attn::Detector d : point.detectors.reported) {
    const attn::HeadScore best = point.detectors.best(d);
    if (best.layer < 0) continue;
    const std::size_t index = static_cast<std::size_t>(best.layer * n_heads + best.head);
    const bool out = index < t.knocked_out.size() && t.knocked_out[index] != 0;
    char line[128];
    std::snprintf(line, sizeof line, "layer %d, head %d: %s %.2f%s", best.layer + 1, best.head + 1,
                  std::string(attn::to_string(d)).c_str(), static_cast<double>(best.score),
                  out ? " (knocked out)" : "");
    lines.emplace_back(line);
  }
  return lines;
}

}  // namespace

void draw_mode_switch(UiContext& ctx) {
  const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  const auto button = [&](const char* label, Mode mode, const char* tip) {
    const bool active = ctx.state.mode == mode;
    if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (gui::button(ctx.layout, label, ImVec2(w, 0.0f))) ctx.state.mode = mode;
    if (active) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
  };
  const std::string key = " (" + shortcut_text(Command::SwitchMode) + ")";
  button("Explore", Mode::Explore, ("Any sentence, random weights, every knob" + key).c_str());
  ImGui::SameLine();
  button("Train", Mode::Train, ("A tiny transformer that learns a task while you watch" + key).c_str());
  ImGui::Separator();
}

namespace {

// Train / Pause, Step, Reset, the progress to the target and the speed: at the top, where a
// teacher finds them at any UI scale.
void draw_train_actions(UiContext& ctx, TrainContext& train, const std::string& problem) {
  TrainState& t = ctx.state.train;
  const TrainChoices& c = t.choices;
  const TrainProgress* p = train.progress;
  const bool running = p && p->running;
  const float bw = (ImGui::GetContentRegionAvail().x - 2.0f * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
  if (button(ctx.layout, running ? "Pause" : "Train", ImVec2(bw, 0.0f)) && p)
    train.commands.emplace_back(running ? TrainCommand::Kind::Pause : TrainCommand::Kind::Run);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", shortcut_text(Command::TrainOrPause).c_str());
  ImGui::SameLine();
  if (button(ctx.layout, "Step", ImVec2(bw, 0.0f)) && p) train.commands.emplace_back(TrainCommand::Kind::Step);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One update (%s)", shortcut_text(Command::TrainStep).c_str());
  ImGui::SameLine();
  if (button(ctx.layout, "Reset", ImVec2(bw, 0.0f)) && problem.empty()) {
    if (t.trained)
      t.pending = c;
    else
      train.commands.push_back(command_for(TrainCommand::Kind::Reset, c));
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("New weights with these settings");

  if (!p) return;
  const int target = p->model ? p->model->train.steps : 1;
  char label[64];
  std::snprintf(label, sizeof label, "step %lld / %d", p->step, target);
  progress_bar(ctx.layout, std::min(1.0f, static_cast<float>(p->step) / static_cast<float>(std::max(target, 1))),
               ImVec2(-FLT_MIN, 0.0f), label);
  char speed[96];
  std::snprintf(speed, sizeof speed, "%.0f steps/s  \xC2\xB7  %.0fk tokens/s", p->steps_per_second,
                p->tokens_per_second / 1000.0);
  text_fitted(ctx.layout, "label", speed, true);
  if (const CurvePoint* point = shown_point(*p, ctx.state.train)) {
    char loss[128];
    if (const CurvePoint* was = intact_point(*p, ctx.state.train)) {
      // Knock-outs: before -> after, the loss and the accuracy a line each (the panel is narrow).
      std::snprintf(loss, sizeof loss, "loss %.3f \xE2\x86\x92 %.3f", static_cast<double>(was->loss),
                    static_cast<double>(point->loss));
      text_fitted(ctx.layout, "label", loss, false);
      std::snprintf(loss, sizeof loss, "accuracy %.0f%% \xE2\x86\x92 %.0f%%",
                    100.0 * static_cast<double>(was->accuracy), 100.0 * static_cast<double>(point->accuracy));
    } else if (p->bigram_bpb > 0.0) {
      // Text: bits per byte is the number that compares with the baselines and other tokenizers.
      std::snprintf(loss, sizeof loss, "%.3f bits per byte  \xC2\xB7  bigram %.3f", point->bits_per_byte,
                    p->bigram_bpb);
    } else {
      std::snprintf(loss, sizeof loss, "loss %.3f  \xC2\xB7  accuracy %.0f%%", static_cast<double>(point->loss),
                    100.0 * static_cast<double>(point->accuracy));
    }
    text_fitted(ctx.layout, "label", loss, false, ImGui::GetContentRegionAvail().x - button_width("(?)"));
    help_marker(ctx.layout,
                "On a held-out batch the model never trains on, at the step the timeline shows. "
                "Knocked-out heads count.");
  }
  if (p->curve.size() == 1 && p->step > 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    const char* note =
        "This model was trained before it was opened, so it has no history: press Reset, then "
        "Train, to watch its heads form.";
    text_wrapped(ctx.layout, "label", note);
    ImGui::PopStyleColor();
  }
  if (!p->message.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text,
                          p->diverged || p->error ? ctx.colors.error : ImGui::GetColorU32(ImGuiCol_TextDisabled));
    text_wrapped(ctx.layout, "label", p->message);
    ImGui::PopStyleColor();
  }
}

}  // namespace

void draw_train_controls(UiContext& ctx, TrainContext& train) {
  TrainState& t = ctx.state.train;
  TrainChoices& c = t.choices;
  draw_train_actions(ctx, train, problem_with(c, t.d_head_auto));
  ImGui::Separator();

  gui::text(ctx.layout, "label", "Task");
  ImGui::SetNextItemWidth(-FLT_MIN);
  const bool text = c.task == "text";
  const std::string task_label = !text                 ? c.task
                                 : c.text_file.empty() ? std::string(kEnglishTextLabel)
                                                       : "text: " + text_source_name(c.text_file);
  if (const Combo combo{ctx.layout, "##task", task_label}) {
    for (std::string_view name : attn::task_names())
      if (ImGui::Selectable(std::string(name).c_str(), c.task == name)) {
        c.task = std::string(name);
        c.text_file.clear();
        c.settings.seq_len = attn::make_task(name)->default_seq_len();
      }
    if (ImGui::Selectable(kEnglishTextLabel, text && c.text_file.empty())) {
      // The corpus is checked here, so a missing one is a message and the model stays as it is.
      try {
        text_corpus("");
        if (!text) {
          text_task_defaults(c);
          t.d_head_auto = true;
        }
        c.task = "text";
        c.text_file.clear();
      } catch (const std::exception& e) {
        ctx.state.status = e.what();
        ctx.state.status_is_error = true;
      }
    }
    if (ImGui::Selectable(kTextFileLabel, text && !c.text_file.empty())) ctx.requests.choose_text_file = true;
  }
  if (ImGui::IsItemHovered() && text)
    ImGui::SetTooltip(
        "%s", c.text_file.empty() ? "The English corpus (bash bootstrap.sh corpus builds it)" : c.text_file.c_str());
  if (const auto task = text ? nullptr : attn::make_task(c.task); task || text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    const std::string counts = text ? "Loss counts every next token, in bits per byte of text."
                                    : "Loss counts " + std::string(task->counts()) + ".";
    text_wrapped(ctx.layout, "label", counts);
    ImGui::PopStyleColor();
  }

  ImGui::Spacing();
  gui::text(ctx.layout, "section", "Model");
  const float label_w = ImGui::CalcTextSize("learning rate (?)").x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
  const auto row = [&](const char* label, const char* help) { control_label(ctx.layout, label, help, label_w); };
  row("layers",
      "Blocks of attention (and MLP). An induction head needs two: one head in layer 1 looks at "
      "the previous token, one in layer 2 uses that to find what came after the earlier copy.");
  slider_int(ctx.layout, "##layers", &c.arch.n_layers, 1, attn::kMaxLayers);
  row("heads", "Attention heads per layer, each with its own Q, K and V.");
  const int heads_before = c.arch.n_heads;  // on auto d_head: only counts that divide d_model
  if (slider_int(ctx.layout, "##heads", &c.arch.n_heads, 1, attn::kMaxTrainHeads) && t.d_head_auto)
    c.arch.n_heads = heads_dividing(c.arch.d_model, heads_before, c.arch.n_heads, attn::kMaxTrainHeads);
  row("d_model", "Width of the residual stream (every token's vector).");
  if (slider_int(ctx.layout, "##d_model", &c.arch.d_model, attn::kMinTrainDModel, attn::kMaxTrainDModel))
    c.arch.d_model = std::max(attn::kMinTrainDModel, c.arch.d_model / 8 * 8);
  row("d_head", "Width of each head's q, k and v. Auto: d_model / heads.");
  checkbox(ctx.layout, "auto##dh", &t.d_head_auto);
  if (!t.d_head_auto) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-FLT_MIN);
    slider_int(ctx.layout, "##d_head", &c.arch.d_head, 1, 64);
  } else {
    ImGui::SameLine();
    const std::string auto_d = std::to_string(
        c.arch.n_heads > 0 && c.arch.d_model % c.arch.n_heads == 0 ? c.arch.d_model / c.arch.n_heads : 0);
    text_disabled(ctx.layout, "label", auto_d);
  }
  checkbox(ctx.layout, "MLP after attention", &c.arch.mlp);
  help_marker(ctx.layout,
              "LayerNorm, Linear to 4 x d_model, GELU, Linear back, added to the stream. Off: an "
              "attention-only model, whose every computation goes through the heads you see.");
  row("positions",
      "How the model knows where a token is: a learned table, the sinusoidal table, a "
      "rotation of q and k (RoPE), or nothing (then order is invisible).");
  if (const Combo combo{ctx.layout, "##positions", positional_label(c.run.positional)}) {
    for (attn::Positional pos :
         {attn::Positional::Learned, attn::Positional::Sinusoidal, attn::Positional::Rope, attn::Positional::None})
      if (ImGui::Selectable(positional_label(pos), c.run.positional == pos)) c.run.positional = pos;
  }
  checkbox(ctx.layout, "causal mask", &c.run.causal);
  help_marker(ctx.layout, "Each token sees only itself and earlier tokens, as in a model that predicts the next one.");

  ImGui::Spacing();
  gui::text(ctx.layout, "section", "Training");
  row("learning rate", "AdamW's peak step size, reached after a short warm-up. Too high diverges.");
  slider_float(ctx.layout, "learning rate", "##lr", &c.settings.lr, 1e-4f, 1e-1f, "%.4f", ImGuiSliderFlags_Logarithmic);
  row("batch", "Sequences per step.");
  slider_int(ctx.layout, "##batch", &c.settings.batch, 1, 128);
  row("steps", "The target: training pauses there.");
  slider_int(ctx.layout, "##steps", &c.settings.steps, 10, 20000, ImGuiSliderFlags_Logarithmic);
  row("seed", "The initial weights and the data. Same seed, same run.");
  int seed = static_cast<int>(c.settings.seed % 1000000);
  if (ImGui::InputInt("##seed", &seed)) c.settings.seed = static_cast<std::uint64_t>(std::clamp(seed, 0, 999999));
  record_item(ctx.layout, "slider", std::to_string(seed));

  derive_choices(c, t.d_head_auto);
  const std::string problem = problem_with(c, t.d_head_auto);
  if (!problem.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.error);
    text_wrapped(ctx.layout, "error", problem);
    ImGui::PopStyleColor();
  } else if (!t.pending) {
    switch (classify_change(t)) {
      case ChangeOutcome::Unchanged:
        break;
      case ChangeOutcome::ApplyNow:
        train.commands.push_back(
            command_for(shapes_weights(t.applied, c) ? TrainCommand::Kind::Reset : TrainCommand::Kind::Configure, c));
        t.applied = c;
        break;
      case ChangeOutcome::AskFirst:
        t.pending = c;
        break;
    }
  }
}

void draw_reset_confirmation(UiContext& ctx, TrainContext& train) {
  TrainState& t = ctx.state.train;
  if (t.pending && !ImGui::IsPopupOpen("Discard training?")) ImGui::OpenPopup("Discard training?");
  if (!ImGui::BeginPopupModal("Discard training?", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const long long step = train.progress ? train.progress->step : 0;
  ImGui::Text("This needs new weights: the model trained for %lld steps will be discarded.", step);
  ImGui::TextDisabled("(Save it first with File > Save model to keep it.)");
  if (ImGui::Button("Discard and start again") && t.pending) {
    train.commands.push_back(command_for(TrainCommand::Kind::Reset, *t.pending));
    t.applied = *t.pending;
    t.choices = *t.pending;
    t.pending.reset();
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("Keep training") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    confirm_pending(t, false);
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

void draw_model_view(UiContext& ctx, TrainContext& train, ImVec2 size) {
  const ModelRun& run = train.model_view.run();
  if (run.n_layers() == 0 || run.n_tokens() == 0) {
    ImGui::TextDisabled("%s", train.model_view.error().empty() ? "No model yet." : train.model_view.error().c_str());
    ImGui::Dummy(ImVec2(size.x, std::max(0.0f, size.y - ImGui::GetFontSize())));
    return;
  }
  TrainState& t = ctx.state.train;
  const int L = run.n_layers(), H = run.config.n_heads;
  const std::size_t n = run.n_tokens();
  const float font = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const CurvePoint* point = train.progress ? shown_point(*train.progress, ctx.state.train) : nullptr;

  // The color legend at the right, as in Explore: its width comes off the heads' room first.
  std::vector<Range> all_weights, all_scores;
  for (const LayerRanges& v : train.layer_views) {
    all_weights.insert(all_weights.end(), v.of(TensorId::Attn).begin(), v.of(TensorId::Attn).end());
    all_scores.insert(all_scores.end(), v.of(TensorId::Scores).begin(), v.of(TensorId::Scores).end());
  }
  const auto legend_for = [&](int l, int h) {
    bool one = l >= 0 && l < L && h >= 0 && h < H && static_cast<std::size_t>(l) < train.layer_views.size();
    const LayerRanges* v = one ? &train.layer_views[static_cast<std::size_t>(l)] : nullptr;
    one = one && static_cast<std::size_t>(h) < v->of(TensorId::Attn).size() &&
          static_cast<std::size_t>(h) < v->of(TensorId::Scores).size();
    return color_legend(ctx.state, all_weights, all_scores,
                        one ? &v->of(TensorId::Attn)[static_cast<std::size_t>(h)] : nullptr,
                        one ? &v->of(TensorId::Scores)[static_cast<std::size_t>(h)] : nullptr,
                        "L" + std::to_string(std::max(l, 0) + 1) + " H" + std::to_string(std::max(h, 0) + 1));
  };
  const bool enlarged = t.enlarged_layer >= 0 && t.enlarged_layer < L && t.enlarged_head < H;
  const ColorLegend legend = legend_for(enlarged ? t.enlarged_layer : -1, enlarged ? t.enlarged_head : -1);
  const float full_w = size.x;
  size.x = std::max(size.x - legend.width, font * 8.0f);
  int hovered_layer = -1, hovered_head = -1;
  float maps_bottom = origin.y;  // the lowest map drawn: the legend ends there
  // After the heads: the legend beside them, with the numbers of the head under the mouse if any.
  const auto draw_legend = [&] {
    if (maps_bottom <= origin.y) return;
    ColorLegend shown = hovered_layer >= 0 && !enlarged ? legend_for(hovered_layer, hovered_head) : legend;
    shown.width = legend.width;
    const ImVec2 back = ImGui::GetCursorScreenPos();
    draw_color_legend(ctx, shown, ImVec2(origin.x + full_w - legend.width + style.ItemSpacing.x, origin.y),
                      maps_bottom - origin.y);
    ImGui::SetCursorScreenPos(back);
  };

  const auto spec_for = [&](int l, int h, bool small_labels) {
    const attn::LayerView layer_view = run.layer(l);
    const LayerRanges& view = train.layer_views[static_cast<std::size_t>(l)];
    HeatmapSpec spec;
    spec.id = "train_attention";
    spec.matrix = TensorId::Attn;
    spec.layer = l;
    spec.head = h;
    spec.rows = spec.cols = static_cast<int>(n);
    spec.values = layer_view.attn(static_cast<std::size_t>(h));
    spec.raw_scores = layer_view.scores(static_cast<std::size_t>(h));
    spec.row_labels = spec.col_labels = &view.token_labels;
    spec.colormap = ctx.state.view.colormap;
    if (ctx.state.view.range == RangeMode::PerHead) {
      spec.low = view.of(TensorId::Attn)[static_cast<std::size_t>(h)].low;
      spec.high = view.of(TensorId::Attn)[static_cast<std::size_t>(h)].high;
    }
    spec.causal = layer_view.config.causal;
    spec.show_layer = true;
    spec.small_labels = small_labels;
    if (ctx.state.view.head_view == HeadView::Scores) {
      spec.id = "train_scores";
      spec.matrix = TensorId::Scores;
      spec.values = spec.raw_scores;
      spec.colormap = tensor_colormap(TensorId::Scores, spec.colormap);
      spec.low = view.of(TensorId::Scores)[static_cast<std::size_t>(h)].low;
      spec.high = view.of(TensorId::Scores)[static_cast<std::size_t>(h)].high;
    }
    spec.knock_out = t.knocked_out.size() > static_cast<std::size_t>(l * H + h) &&
                     t.knocked_out[static_cast<std::size_t>(l * H + h)];
    return spec;
  };
  const auto widget = [&](int l, int h, ImVec2 area, bool small_labels) {
    if (ctx.state.view.head_view == HeadView::Lines)
      return lines_widget(ctx, run.layer(l), l, h, head_color_u32(l, h, H), area, small_labels);
    return heatmap_widget(ctx, spec_for(l, h, small_labels), area);
  };
  const auto title_of = [&](int l, int h) {
    std::string title = "L" + std::to_string(l + 1) + " H" + std::to_string(h + 1);
    // A knocked-out head still attends as before, so its detector score would still read high:
    // its title says it is out instead of claiming a job it no longer does.
    if (spec_for(l, h, false).knock_out == 1) return title + " \xC2\xB7 knocked out";
    if (point)
      for (attn::Detector d : point->detectors.reported) {
        const attn::HeadScore best = point->detectors.best(d);
        if (best.layer == l && best.head == h && best.score >= 0.3f) {
          char s[48];
          std::snprintf(s, sizeof s, " \xC2\xB7 %s %.2f", std::string(attn::to_string(d)).c_str(),
                        static_cast<double>(best.score));
          title += s;
          break;
        }
      }
    return title;
  };
  const auto after_widget = [&](const HeatmapResult& r, int l, int h, ImVec2 min, ImVec2 max) {
    maps_bottom = std::max(maps_bottom, max.y);
    if (r.hover_row >= 0) {
      ctx.hover_cell(r.hover_row, r.hover_col);
      hovered_layer = l;
      hovered_head = h;
    }
    if (r.toggle_knock_out) {
      toggle_knock_out(t, l, h);
      TrainCommand knock(TrainCommand::Kind::SetKnockOut);
      knock.knocked_out = t.knocked_out;
      train.commands.push_back(std::move(knock));
    }
    dl->AddRect(ImVec2(min.x - 2.0f, min.y - 2.0f), ImVec2(max.x + 2.0f, max.y + 2.0f), head_color_u32(l, h, H), 0.0f,
                0, 2.0f * ctx.scale);
    if (spec_for(l, h, false).knock_out == 1) {
      dl->AddRectFilled(min, max, IM_COL32(0, 0, 0, 150));
      const std::string off = fit_text({"knocked out", "off"}, max.x - min.x);
      const ImVec2 ts = ImGui::CalcTextSize(off.c_str());
      const ImVec2 at((min.x + max.x - ts.x) * 0.5f, (min.y + max.y - ts.y) * 0.5f);
      draw_text(ctx.layout, dl, "knocked_out", at, IM_COL32(255, 255, 255, 255), off);
    }
  };

  if (enlarged) {
    const int l = t.enlarged_layer, h = t.enlarged_head;
    if (button(ctx.layout, "\xE2\x86\x90 All heads"))
      t.enlarged_layer = t.enlarged_head = -1;  // Esc: Command::BackToGrid
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    text_fitted(ctx.layout, "head_title", title_of(l, h));
    const float header = ImGui::GetCursorScreenPos().y - origin.y;
    // The map uses the width the screen has: the step-through goes beside it or below it, whichever
    // leaves the map larger; Q/K/V goes below, and gives way when the map would lose its labels.
    const LabelSpec labels =
        token_label_spec(train.layer_views[static_cast<std::size_t>(l)].token_labels, ctx.scale, true);
    const LabelSides sides =
        ctx.state.view.head_view == HeadView::Lines ? LabelSides::LeftAndRight : LabelSides::LeftAndTop;
    const StepThrough& st = ctx.state.step;
    const bool step = st.open && st.layer == l && st.head == h;
    const int tokens = static_cast<int>(n);
    const float area_h = size.y - header, spacing = style.ItemSpacing.x * 2.0f;  // room for the outline
    SplitPlan split = step ? plan_enlarged(tokens, size.x, area_h, labels, sides, font * 16.0f, font * 9.0f, spacing)
                           : plan_enlarged(tokens, size.x, area_h, labels, sides, size.x + 1.0f, font * 7.0f, spacing);
    // As in Explore: 16 em for the step-through, 12 when the labels would be smaller than a grid's.
    const float comfortable =
        token_label_spec(train.layer_views[static_cast<std::size_t>(l)].token_labels, ctx.scale, false).min_px;
    if (step && (!split.fit.labels || split.fit.label_px < comfortable))
      split = plan_enlarged(tokens, size.x, area_h, labels, sides, font * 12.0f, font * 9.0f, spacing);
    bool companion = true;
    if (!step && !split.fit.labels) {
      companion = false;
      split = SplitPlan{};
      split.map_w = size.x;
      split.map_h = area_h;
    }
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const HeatmapResult r = widget(l, h, ImVec2(split.map_w, split.map_h), true);
    const auto& drawn = ctx.layout.heatmaps.back();
    after_widget(r, l, h, ImVec2(drawn.x, drawn.y), ImVec2(drawn.x + drawn.w, drawn.y + drawn.h));
    if (r.clicked) open_step_through(ctx.state, l, h, r);
    // Labels that truly cannot fit: say beside the map how to get them (when nothing else is there).
    const float hint_x = drawn.x + drawn.w + style.ItemSpacing.x * 2.0f, hint_w = origin.x + size.x - hint_x;
    if (r.labels_hidden && hint_w >= font * 8.0f && !(companion && split.beside)) {
      ImGui::SetCursorScreenPos(ImVec2(hint_x, drawn.y));
      ImGui::PushTextWrapPos(origin.x + size.x - ImGui::GetWindowPos().x);
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
      const std::string hint = "token labels hidden at this size: hover a cell, or " +
                               shortcut_text(Command::SmallerText) + " for smaller text";
      text_wrapped(ctx.layout, "hint", hint);
      ImGui::PopStyleColor();
      ImGui::PopTextWrapPos();
    }
    if (companion) {
      const ImVec2 place =
          split.beside ? ImVec2(at.x + split.map_w + spacing, at.y) : ImVec2(at.x, at.y + split.map_h + spacing);
      ImGui::SetCursorScreenPos(place);
      const attn::LayerView shown = run.layer(l);
      UiContext sub{ctx.state,    ctx.model, &shown,       l,          train.layer_views[static_cast<std::size_t>(l)],
                    ctx.unknown,  ctx.typed, ctx.renderer, ctx.colors, ctx.scale,
                    ctx.requests, ctx.layout};
      const ImVec2 lower(origin.x + size.x - place.x, origin.y + size.y - place.y);
      if (step)
        draw_step_through(sub, train.model_view.out_projection(l), lower);
      else
        draw_qkv_panel(sub, lower, h);
    }
    draw_legend();
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + size.y));
    ImGui::Dummy(ImVec2(full_w, 0.0f));
    return;
  }

  // The grid: a row per layer and a column per head when that is readable, else pages of heads.
  GridRequest request;
  request.panels = L * H;
  request.n_tokens = static_cast<int>(n);
  request.width = size.x;
  request.height = size.y;
  request.title_h = font + style.ItemSpacing.y;
  request.gap = style.ItemSpacing.x * 2.0f;  // room for the head-colored outline
  request.labels = token_label_spec(train.layer_views[0].token_labels, ctx.scale, false);
  request.sides = ctx.state.view.head_view == HeadView::Lines ? LabelSides::LeftAndRight : LabelSides::LeftAndTop;
  request.min_side = min_readable_side(request.n_tokens, font, ctx.scale);
  request.fixed_cols = H;
  request.page = ctx.state.head_page;
  GridPlan plan = plan_grid(request);
  const float footer_h = ImGui::GetFrameHeightWithSpacing();
  const bool line = plan.pages > 1 || !plan.labels || !plan.readable;
  if (line) {  // a line above the grid says which heads these are, or why labels are missing
    request.height = size.y - footer_h;
    plan = plan_grid(request);
    ctx.state.head_page = plan.page;  // the line's PgUp / PgDn turn from here
    draw_pages_line(ctx, plan, L * H, !plan.labels, size.x);
  }
  ctx.state.head_page = std::min(ctx.state.head_page, plan.pages - 1);
  const ImVec2 top(origin.x, origin.y + (line ? footer_h : 0.0f));
  const float map_w = (plan.labels ? plan.fit.room_x : 0.0f) + plan.side;
  const float map_h = (plan.labels ? plan.fit.room_y : 0.0f) + plan.side;
  const bool small_labels = plan.fit.label_px < request.labels.min_px;
  for (int i = 0; i < plan.count; ++i) {
    const int l = (plan.first + i) / H, h = (plan.first + i) % H;
    const ImVec2 p(top.x + plan.panel_w * static_cast<float>(i % plan.cols),
                   top.y + plan.panel_h * static_cast<float>(i / plan.cols));
    ImGui::SetCursorScreenPos(p);
    const std::string full = title_of(l, h);
    const std::string plain = "L" + std::to_string(l + 1) + " H" + std::to_string(h + 1);
    // The detector's name shortened while a few of its letters still show, then "L1 H3".
    const float title_w = plan.panel_w - request.gap;
    const std::string title = ImGui::CalcTextSize((plain + " \xC2\xB7 abcd\xE2\x80\xA6").c_str()).x <= title_w
                                  ? shorten_to_width(full, title_w)
                                  : fit_text({plain, "H" + std::to_string(h + 1)}, title_w);
    ImGui::PushStyleColor(ImGuiCol_Text, head_color_u32(l, h, H));
    gui::text(ctx.layout, "head_title", title);
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", full.c_str());
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + request.title_h));
    // + 1: the widget refits the same room and cells, and rounding must not cost it a pixel a cell.
    const HeatmapResult r = widget(l, h, ImVec2(map_w + 1.0f, map_h + 1.0f), small_labels);
    const auto& drawn = ctx.layout.heatmaps.back();
    after_widget(r, l, h, ImVec2(drawn.x, drawn.y), ImVec2(drawn.x + drawn.w, drawn.y + drawn.h));
    if (r.clicked) {
      t.enlarged_layer = l;
      t.enlarged_head = h;
      open_step_through(ctx.state, l, h, r);
    }
  }
  draw_legend();
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + size.y));
  ImGui::Dummy(ImVec2(full_w, 0.0f));
}

namespace {

// A line plot in [min, max]: x = step in [0, x_max], y in [0, y_max]; returns the step under the
// mouse (or -1).
struct PlotFrame {
  ImVec2 min, max;
  float x_max, y_max;
  ImVec2 at(float step, float y) const {
    return ImVec2(min.x + (max.x - min.x) * step / std::max(x_max, 1.0f),
                  max.y - (max.y - min.y) * std::clamp(y / std::max(y_max, 1e-6f), 0.0f, 1.0f));
  }
};

// The frame, its title (shortened to the plot's width, the whole on hover is the plot's tooltip)
// and the axis ends; an axis label that would touch its neighbour is left out.
PlotFrame plot_frame(ImDrawList* dl, LayoutRecord& layout, ImVec2 min, ImVec2 max, float x_max, float y_max,
                     const char* title, const char* y_top) {
  const float font = ImGui::GetFontSize();
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const auto text = [&](ImVec2 at, ImU32 color, const std::string& s) {
    draw_text(layout, dl, "plot_label", at, color, s);
  };
  text(min, ImGui::GetColorU32(ImGuiCol_Text), shorten_to_width(title, max.x - min.x - font * 0.5f));
  const float axis_w = std::max(ImGui::CalcTextSize(y_top).x, ImGui::CalcTextSize("0").x) + font * 0.3f;
  PlotFrame f{ImVec2(min.x + axis_w, min.y + font * 1.4f), ImVec2(max.x - font * 0.5f, max.y - font * 1.3f), x_max,
              y_max};
  dl->AddRect(f.min, f.max, ImGui::GetColorU32(ImGuiCol_Border));
  text(ImVec2(min.x, f.min.y - font * 0.1f), dim, y_top);
  text(ImVec2(min.x, f.max.y - font), dim, "0");
  char right[32];
  std::snprintf(right, sizeof right, "%.0f", static_cast<double>(x_max));
  const float right_w = ImGui::CalcTextSize(right).x, gap = font * 0.5f;
  const float width = f.max.x - f.min.x;
  const std::string left = ImGui::CalcTextSize("step 0").x + gap + right_w <= width ? "step 0" : "0";
  text(ImVec2(f.min.x, f.max.y + 1.0f), dim, left);
  if (ImGui::CalcTextSize(left.c_str()).x + gap + right_w <= width)
    text(ImVec2(f.max.x - right_w, f.max.y + 1.0f), dim, right);
  return f;
}

// The loss and head-score plots and the best heads, in `plots_h` from the cursor.
void draw_curves(UiContext& ctx, TrainContext& train, ImVec2 size, float plots_h) {
  const TrainProgress* p = train.progress;
  TrainState& t = ctx.state.train;
  const float font = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int L = p->model->model.arch.n_layers, H = p->model->model.arch.n_heads;
  const float target = static_cast<float>(std::max<long long>(p->model->train.steps, p->step));
  const float legend_w = std::min(font * 17.0f, size.x * 0.3f);
  const float plot_w = (size.x - legend_w - style.ItemSpacing.x * 2.0f) * 0.5f;
  const long long shown = train.model_view.shown_step();

  // The text task plots bits per byte (the held-out loss per byte of text) with the unigram and
  // bigram baselines as reference lines; the other tasks the loss and the accuracy.
  const bool bpb = p->bigram_bpb > 0.0;
  const auto value = [&](const CurvePoint& c) { return bpb ? static_cast<float>(c.bits_per_byte) : c.loss; };
  float max_loss = bpb ? static_cast<float>(p->unigram_bpb) : 0.0f;
  for (const auto& point : p->curve) max_loss = std::max(max_loss, value(*point));
  char loss_top[32];
  std::snprintf(loss_top, sizeof loss_top, "%.2g", static_cast<double>(max_loss * 1.05f));
  const PlotFrame loss = plot_frame(
      dl, ctx.layout, origin, ImVec2(origin.x + plot_w, origin.y + plots_h), target, max_loss * 1.05f,
      bpb ? "Held-out bits per byte (white), baselines dashed" : "Loss (white) and accuracy (green, 0-100%)", loss_top);
  if (bpb) {
    // Each baseline a dashed line across the plot, named at its left end: the unigram's above its
    // line and the bigram's (always lower) below its own, so the two names never meet.
    const std::pair<const char*, double> baselines[] = {{"unigram", p->unigram_bpb}, {"bigram", p->bigram_bpb}};
    for (const auto& [name, level] : baselines) {
      const bool below = level == p->bigram_bpb;
      const float y = loss.at(0.0f, static_cast<float>(level)).y;
      const float dash = font * 0.5f;
      for (float x = loss.min.x; x < loss.max.x; x += dash * 2.0f)
        dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + dash, loss.max.x), y), IM_COL32(120, 170, 255, 230),
                    1.5f * ctx.scale);
      char label[48];
      std::snprintf(label, sizeof label, "%s %.2f", name, level);
      const std::string shown_label = shorten_to_width(label, loss.max.x - loss.min.x - font * 0.6f);
      const bool room_below = y + font * 1.15f <= loss.max.y;
      const ImVec2 at(loss.min.x + font * 0.3f, below && room_below ? y + font * 0.1f : y - font * 1.05f);
      draw_text(ctx.layout, dl, "plot_label", at, IM_COL32(120, 170, 255, 255), shown_label);
    }
  }
  const ImVec2 det_origin(origin.x + plot_w + style.ItemSpacing.x, origin.y);
  const attn::Detector detector = p->curve.back()->detectors.reported.empty() ? attn::Detector::PreviousToken
                                                                              : p->curve.back()->detectors.reported[0];
  const std::size_t chosen = static_cast<std::size_t>(
      std::clamp(t.curve_detector, 0, std::max(0, static_cast<int>(p->curve.back()->detectors.reported.size()) - 1)));
  const attn::Detector shown_detector =
      p->curve.back()->detectors.reported.empty() ? detector : p->curve.back()->detectors.reported[chosen];
  const std::string det_title = "Head scores: " + std::string(attn::to_string(shown_detector)) + " (click to change)";
  const PlotFrame det = plot_frame(dl, ctx.layout, det_origin, ImVec2(det_origin.x + plot_w, origin.y + plots_h),
                                   target, 1.0f, det_title.c_str(), "1");

  // Lines: loss and accuracy; one line per head for the chosen detector, in the head's color.
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 green = IM_COL32(80, 200, 120, 255);
  // At most one segment per pixel column: a long run has far more evaluations than the plot has
  // pixels, and drawing them all made every frame slower and the draw buffers larger the longer
  // training ran (bench-ui --train --minutes 20 showed frames going from 24 to 90 ms).
  const auto pixel_x = [&](const CurvePoint& c) { return loss.at(static_cast<float>(c.step), 0.0f).x; };
  std::size_t previous = 0;
  for (std::size_t i = 1; i < p->curve.size(); ++i) {
    if (i + 1 < p->curve.size() && pixel_x(*p->curve[i]) - pixel_x(*p->curve[previous]) < 1.0f) continue;
    const CurvePoint& a = *p->curve[previous];
    const CurvePoint& b = *p->curve[i];
    previous = i;
    const float xa = static_cast<float>(a.step), xb = static_cast<float>(b.step);
    dl->AddLine(loss.at(xa, value(a)), loss.at(xb, value(b)), text, 1.5f * ctx.scale);
    if (!bpb)
      dl->AddLine(loss.at(xa, a.accuracy * loss.y_max), loss.at(xb, b.accuracy * loss.y_max), green, 1.5f * ctx.scale);
    for (int l = 0; l < L; ++l)
      for (int h = 0; h < H; ++h) {
        const auto& sa = a.detectors.score[static_cast<int>(shown_detector)];
        const auto& sb = b.detectors.score[static_cast<int>(shown_detector)];
        if (sa.empty() || sb.empty()) continue;
        const std::size_t k = static_cast<std::size_t>(l * H + h);
        dl->AddLine(det.at(xa, sa[k]), det.at(xb, sb[k]), head_color_u32(l, h, H), 1.2f * ctx.scale);
      }
  }
  // The timeline's step as a cursor in both plots.
  for (const PlotFrame* f : {&loss, &det}) {
    const float x = f->at(static_cast<float>(shown), 0.0f).x;
    dl->AddLine(ImVec2(x, f->min.y), ImVec2(x, f->max.y), IM_COL32(255, 160, 40, 220), 1.5f * ctx.scale);
  }
  // Hover: the values at the nearest evaluated step.
  ImGui::SetCursorScreenPos(loss.min);
  ImGui::InvisibleButton("loss_plot", ImVec2(loss.max.x - loss.min.x, loss.max.y - loss.min.y));
  const bool loss_hovered = ImGui::IsItemHovered();
  ImGui::SetCursorScreenPos(det.min);
  ImGui::InvisibleButton("det_plot", ImVec2(det.max.x - det.min.x, det.max.y - det.min.y));
  const bool det_hovered = ImGui::IsItemHovered();
  if (ImGui::IsItemClicked() && !p->curve.back()->detectors.reported.empty())
    t.curve_detector = (t.curve_detector + 1) % static_cast<int>(p->curve.back()->detectors.reported.size());
  if (loss_hovered || det_hovered) {
    const PlotFrame& f = loss_hovered ? loss : det;
    const float mouse_step = (ImGui::GetIO().MousePos.x - f.min.x) / (f.max.x - f.min.x) * target;
    const CurvePoint* nearest = p->curve.front().get();
    for (const auto& point : p->curve)
      if (std::fabs(static_cast<float>(point->step) - mouse_step) <
          std::fabs(static_cast<float>(nearest->step) - mouse_step))
        nearest = point.get();
    if (loss_hovered && bpb) {
      ImGui::SetTooltip("step %lld (%.1f s)\n%.3f bits per byte\nunigram %.3f, bigram %.3f\nloss %.4f", nearest->step,
                        nearest->seconds, nearest->bits_per_byte, p->unigram_bpb, p->bigram_bpb,
                        static_cast<double>(nearest->loss));
    } else if (loss_hovered) {
      ImGui::SetTooltip("step %lld (%.1f s)\nloss %.4f\naccuracy %.1f%%", nearest->step, nearest->seconds,
                        static_cast<double>(nearest->loss), 100.0 * static_cast<double>(nearest->accuracy));
    } else {
      const auto& s = nearest->detectors.score[static_cast<int>(shown_detector)];
      std::string lines = "step " + std::to_string(nearest->step) + ", " + std::string(attn::to_string(shown_detector));
      for (int l = 0; l < L && !s.empty(); ++l)
        for (int h = 0; h < H; ++h) {
          char line[48];
          std::snprintf(line, sizeof line, "\nlayer %d, head %d: %.2f", l + 1, h + 1,
                        static_cast<double>(s[static_cast<std::size_t>(l * H + h)]));
          lines += line;
        }
      ImGui::SetTooltip("%s", lines.c_str());
    }
  }

  // The best head per detector at the shown step.
  const ImVec2 legend(origin.x + plot_w * 2.0f + style.ItemSpacing.x * 2.0f, origin.y);
  ImGui::SetCursorScreenPos(legend);
  ImGui::BeginGroup();
  text_fitted(ctx.layout, "legend", "Best heads", false, legend_w);
  if (const CurvePoint* point = shown_point(*p, ctx.state.train)) {
    // As many lines as fit above the timeline; the rest are in the head-score plot's tooltip.
    const int room =
        static_cast<int>((plots_h - ImGui::GetTextLineHeightWithSpacing()) / ImGui::GetTextLineHeightWithSpacing());
    int shown_lines = 0;
    const int n_heads = p->model ? p->model->model.arch.n_heads : 0;
    for (const std::string& line : detector_lines(*point, ctx.state.train, n_heads)) {
      if (shown_lines++ >= room) break;
      text_fitted(ctx.layout, "legend", line, false, legend_w);
    }
  }
  ImGui::EndGroup();
}

}  // namespace

void draw_curves_and_timeline(UiContext& ctx, TrainContext& train, ImVec2 size) {
  const TrainProgress* p = train.progress;
  if (!p || p->curve.empty()) return;
  TrainState& t = ctx.state.train;
  const float font = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float timeline_h = ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y;
  const long long shown = train.model_view.shown_step();
  // The plots only when they can be read; the timeline always.
  const float plots_h = size.y - timeline_h >= font * 5.0f ? size.y - timeline_h : 0.0f;
  if (plots_h > 0.0f) draw_curves(ctx, train, size, plots_h);

  // The timeline: the button, the slider, and the snapshot count when the line has room for it.
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + plots_h + style.ItemSpacing.y));
  const char* now_label = t.follow_latest ? "Following" : "Now";
  if (button(ctx.layout, now_label)) t.follow_latest = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show the model as it trains (End)");
  ImGui::SameLine();
  char step_label[64];
  std::snprintf(step_label, sizeof step_label, "step %lld", shown);
  char info[64];
  std::snprintf(info, sizeof info, "%zu snapshot%s, %.1f MB", p->timeline.size(), p->timeline.size() == 1 ? "" : "s",
                static_cast<double>(p->timeline_bytes) / 1048576.0);
  float position = t.follow_latest ? 1.0f : static_cast<float>(t.timeline_position);
  const float info_w = ImGui::CalcTextSize(info).x + style.ItemSpacing.x;
  const bool show_info = ImGui::GetContentRegionAvail().x - info_w >= font * 6.0f;
  ImGui::SetNextItemWidth(show_info ? ImGui::GetContentRegionAvail().x - info_w : -FLT_MIN);
  if (slider_float_shown(ctx.layout, "##timeline", &position, 0.0f, 1.0f, step_label)) {
    t.timeline_position = position;
    t.follow_latest = false;
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Scrub back through the run: every view shows the model at that step (Home: step 0)");
  if (show_info) {
    ImGui::SameLine();
    text_disabled(ctx.layout, "label", info);
  }
}

}  // namespace app::gui
