// Model and view controls, each with a (?) that teaches what the knob does to the math. Labels
// sit left of their widget when the panel is wide enough and above it when not, so nothing is
// cut at a large UI scale.
#include <imgui.h>

#include <cfloat>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/lessons.hpp"
#include "gui/commands.hpp"
#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

void section(UiContext& ctx, const char* title) {
  ImGui::Spacing();
  text_disabled(ctx.layout, "section", title);
  ImGui::Separator();
}

// The widest label of the panel decides where the widgets start.
float label_width() { return ImGui::CalcTextSize("Temperature (?)").x + ImGui::GetStyle().ItemSpacing.x * 2.0f; }

// One value of an enum as a radio button, on this line when it fits.
template <class Enum>
void radio(UiContext& ctx, const char* label, Enum* value, Enum mine, bool same_line) {
  if (same_line)
    same_line_if_fits(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x);
  gui::radio(ctx.layout, label, value, mine);
}

void model_controls(UiContext& ctx) {
  attn::ModelConfig& c = ctx.state.input.config;
  LayoutRecord& layout = ctx.layout;
  const float label_w = label_width();

  control_label(layout, "Heads",
                "How many attention heads run side by side. Each head has its own W_q, W_k and W_v, "
                "so each can attend to different things; their outputs are concatenated and mixed "
                "by W_O.",
                label_w);
  // With d_head on auto the slider offers only counts that divide d_model (the engine refuses the rest).
  const int heads_before = c.n_heads;
  if (slider_int(layout, "##heads", &c.n_heads, 1, kMaxUiHeads, ImGuiSliderFlags_AlwaysClamp) && c.d_head == 0)
    c.n_heads = heads_dividing(c.d_model, heads_before, c.n_heads, kMaxUiHeads);

  control_label(layout, "d_model",
                "The width of every token vector (embedding plus position) entering attention, and "
                "of the output. With d_head on auto it must be divisible by the number of heads. "
                "Ctrl+click to type a value.",
                label_w);
  if (slider_int(layout, "##d_model", &c.d_model, kMinUiDModel, kMaxUiDModel, ImGuiSliderFlags_AlwaysClamp))
    ctx.state.input.d_model_given = true;

  bool auto_head = c.d_head == 0;
  control_label(layout, "d_head",
                "Auto: d_head = d_model / heads, as in the original Transformer. Off: choose d_head "
                "yourself; the projections then map d_model to heads x d_head and W_O maps back.",
                label_w);
  if (checkbox(layout, "auto##d_head", &auto_head)) c.d_head = auto_head ? 0 : std::max(1, c.resolved_d_head());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (!auto_head) {
    slider_int(layout, "##d_head_value", &c.d_head, 1, 128, ImGuiSliderFlags_AlwaysClamp);
  } else {
    ImGui::BeginDisabled();
    int shown = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
    slider_int(layout, "##d_head_value", &shown, 1, 128);
    ImGui::EndDisabled();
  }

  control_label(layout, "Seed",
                "The seed makes the random parts repeatable: the word vectors, learned positions and "
                "the weights. The same word gets the same vector in every sentence for one seed.",
                label_w);
  const std::uint64_t one = 1;
  // The number and its - + buttons want 7 lines of width; Re-roll goes below when the line is shorter.
  const float seed_w = ImGui::GetContentRegionAvail().x - button_width("Re-roll") - ImGui::GetStyle().ItemSpacing.x;
  ImGui::SetNextItemWidth(seed_w >= ImGui::GetFontSize() * 7.0f ? seed_w : -FLT_MIN);
  ImGui::InputScalar("##seed", ImGuiDataType_U64, &c.seed, &one, nullptr, "%llu");
  record_item(layout, "input", std::to_string(c.seed));
  same_line_if_fits(button_width("Re-roll"));
  if (button(layout, "Re-roll")) {
    std::random_device device;
    c.seed = device() % 1000000;
  }

  // The choices in the combo's order; the enum is edited as itself, never through an int.
  struct PositionalChoice {
    attn::Positional value;
    const char* label;
  };
  static const PositionalChoice kPositional[] = {{attn::Positional::None, "none"},
                                                 {attn::Positional::Sinusoidal, "sinusoidal"},
                                                 {attn::Positional::Learned, "learned"},
                                                 {attn::Positional::Rope, "rotary (RoPE)"}};
  const char* shown = kPositional[0].label;
  for (const PositionalChoice& p : kPositional)
    if (p.value == c.positional) shown = p.label;
  control_label(layout, "Positions",
                "Attention itself ignores word order. Sinusoidal adds the 2017 paper's sine/cosine "
                "waves to each token vector; learned adds a trained (here: seeded random) table; "
                "rotary rotates q and k by the position, so scores depend on relative distance "
                "(needs an even d_head); none shows attention as a bag of words.",
                label_w);
  if (const Combo combo{layout, "##positions", shown}) {
    for (const PositionalChoice& p : kPositional)
      if (ImGui::Selectable(p.label, p.value == c.positional)) c.positional = p.value;
  }

  checkbox(layout, "Causal mask", &c.causal);
  help_marker(layout,
              "A decoder (like GPT) may not look ahead: each query sees only itself and earlier "
              "keys. Masked scores become -infinity before the softmax, so their weights are exactly 0.");

  control_label(layout, "Temperature",
                "Scores are divided by sqrt(d_head) x temperature before the softmax. Low "
                "temperature sharpens attention towards the best-matching key; high flattens it.",
                label_w);
  slider_float(layout, "temperature", "##temperature", &c.temperature, 0.05f, 10.0f, "%.2f",
               ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);

  frame_label(layout, "Tokens");
  help_marker(layout,
              "Words: words and punctuation marks are tokens (each CJK character on its own). "
              "Characters: every character is a token. GPT-2: the subword tokens a real model reads "
              "(byte-level BPE): a leading space belongs to the token and shows as \xE2\x90\xA3, a byte "
              "that is part of a character as <0xE2>; hover a chip for its id and bytes.");
  attn::TokenizerMode& mode = ctx.state.input.tokenizer;
  radio(ctx, "words", &mode, attn::TokenizerMode::Word, true);
  radio(ctx, "characters", &mode, attn::TokenizerMode::Char, true);
  radio(ctx, "GPT-2", &mode, attn::TokenizerMode::Gpt2, true);

  if (!ctx.state.input.weights_path.empty()) {
    text_wrapped(layout, "label", "Weights: " + ctx.state.input.weights_path);
    if (button(layout, "Use seeded weights")) {
      ctx.state.input.weights_path.clear();
      ctx.state.input.d_model_given = true;
    }
  }

  if (!ctx.model.error().empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.error);
    text_wrapped(layout, "error", ctx.model.error());
    ImGui::PopStyleColor();
    text_disabled(layout, "error", "Showing the last valid result.");
  }
}

void view_controls(UiContext& ctx) {
  ViewSettings& v = ctx.state.view;
  LayoutRecord& layout = ctx.layout;
  const float label_w = label_width();
  control_label(layout, "Colormap",
                "Colors for attention weights. All four are perceptually uniform (equal steps look "
                "equal) and readable with color-blindness; grayscale also survives a black-and-white "
                "printer. Q/K/V use a blue-white-red map centred on zero.",
                label_w);
  colormap_selector(layout, "##colormap", &v.colormap);
  radio(ctx, "per head", &v.range, RangeMode::PerHead, false);
  radio(ctx, "0 to 1", &v.range, RangeMode::Fixed01, true);
  help_marker(layout,
              "Per head stretches each head's colors from its smallest to its largest weight, to "
              "show its pattern. 0 to 1 uses one scale for all heads, so heads can be compared.");
  checkbox(layout, "Numbers in cells", &v.show_values);
  checkbox(layout, "Q/K/V view", &v.show_qkv);
  for (std::size_t i = 0; i < theme_table().size(); ++i)
    radio(ctx, theme_table()[i].label, &v.theme, theme_table()[i].theme, i > 0);
  const std::string scale_help =
      "Makes all text and controls larger, up to 3x, for a projector. " + shortcut_text(Command::LargerText) + " and " +
      shortcut_text(Command::SmallerText) + " also change it; " + shortcut_text(Command::Presentation) +
      " is presentation mode (the controls fold into a drawer, " + shortcut_text(Command::ControlsDrawer) + ").";
  control_label(layout, "UI scale", scale_help.c_str(), label_w);
  float scale = v.ui_scale > 0.0f ? v.ui_scale : ctx.scale;
  if (slider_float(layout, "UI scale", "##ui_scale", &scale, kMinUiScale, kMaxUiScale, "%.2fx",
                   ImGuiSliderFlags_AlwaysClamp))
    v.ui_scale = scale;
}

// "gpt2-small" for /models/gpt2-small/, "english.npz" for a file: what the picker lists.
std::string short_model_name(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path.substr(path.find_last_of('/') + 1);
}

// Which model Explore reads the sentence with: random weights, the English lesson, Train mode's
// model, one opened before, or another from a file or folder.
void model_picker(UiContext& ctx) {
  LayoutRecord& layout = ctx.layout;
  // The data folder cannot change while the window runs: looked up once, not every frame.
  static const std::string english = lesson_path("english");
  const std::string& current = ctx.state.model_path;
  const auto name_of = [&](const std::string& path) {
    if (path.empty()) return std::string("Random weights");
    if (path == english) return std::string("The English lesson");
    if (path == kTrainedModelPath) return std::string("The model trained in Train mode");
    return short_model_name(path);
  };
  const std::string shown = ctx.hosted && ctx.hosted->loading
                                ? "Loading " + name_of(ctx.hosted->loading_path) + " \xE2\x80\xA6"
                                : name_of(current);
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (const Combo combo{layout, "##model_picker", shown}) {
    const auto item = [&](const std::string& label, const std::string& path, const char* tip) {
      if (ImGui::Selectable(label.c_str(), path == current) && path != current) {
        if (path.empty())
          ctx.requests.close_model = true;
        else
          ctx.requests.open_model_path = path;
      }
      if (tip && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
    };
    item("Random weights", "", "Every knob of the random-weight explorer: heads, widths, positions, temperature.");
    std::error_code ec;
    if (std::filesystem::is_regular_file(english, ec))
      item("The English lesson", english,
           "A 2-layer model attnlab trained on the bundled English corpus (assets/models/README.md).");
    if (ctx.trained_model_problem.empty()) {
      const std::string label = "The model trained in Train mode (step " + std::to_string(ctx.trained_step) + ")";
      item(label, kTrainedModelPath, "Its parameters as they are now; pick it again for a later step.");
    } else {
      ImGui::BeginDisabled();
      ImGui::Selectable("The model trained in Train mode");
      ImGui::EndDisabled();
      if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", ctx.trained_model_problem.c_str());
    }
    bool separated = false;
    for (const std::string& path : ctx.state.recent_models) {
      if (path == english) continue;
      if (!separated) {
        ImGui::Separator();
        separated = true;
      }
      item(short_model_name(path) + "##" + path, path, path.c_str());
    }
    ImGui::Separator();
    if (ImGui::Selectable("Open a model\xE2\x80\xA6")) ctx.requests.open_model = true;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("A Hugging Face GPT-2 folder, or a .npz trained on text (attnlab train --task text)");
  }
  if (ctx.hosted && ctx.hosted->loading) {  // the bar of the load under way
    char overlay[32];
    std::snprintf(overlay, sizeof overlay, "%.0f%%", 100.0 * ctx.hosted->loading_fraction);
    progress_bar(layout, static_cast<float>(ctx.hosted->loading_fraction), ImVec2(-FLT_MIN, 0.0f), overlay);
  }
}

// An opened model fixes what the random-weight knobs choose: say what it is, and why they are gone.
void opened_model_controls(UiContext& ctx) {
  const ModelHostState& hosted = *ctx.hosted;
  LayoutRecord& layout = ctx.layout;
  if (hosted.model) {
    const attn::Arch& a = hosted.model->model.arch;
    const std::string shape = std::to_string(a.n_layers) + " layers \xC2\xB7 " + std::to_string(a.n_heads) +
                              " heads of " + std::to_string(a.d_head) + " \xC2\xB7 d_model " +
                              std::to_string(a.d_model) + " \xC2\xB7 " + std::to_string(a.vocab_size) +
                              " tokens \xC2\xB7 context " + std::to_string(a.max_seq_len);
    text_wrapped(layout, "label", shape);
    const std::string& why = hosted.model->fixed_why;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    text_wrapped(layout, "label", why);
    ImGui::PopStyleColor();
  }

  // How Continue writes: the sampling temperature and top-k.
  section(ctx, "CONTINUE");
  const float label_w = ImGui::CalcTextSize("Sampling temperature (?)").x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
  attn::Sampling& sampling = ctx.state.sampling;
  control_label(layout, "Sampling temperature",
                "How Continue picks the next token. 0: always the most likely (greedy). Above 0: a token drawn "
                "at random, each with probability softmax(logit / temperature): low values stay close to the "
                "most likely, high values take risks. This reshapes the model's answer; the attention "
                "temperature (random weights' knob) reshapes each head's softmax over the keys instead.",
                label_w);
  slider_float(layout, "sampling temperature", "##sampling_temperature", &sampling.temperature, 0.0f, 2.0f,
               sampling.temperature == 0.0f ? "greedy" : "%.2f", ImGuiSliderFlags_AlwaysClamp);
  control_label(layout, "Top-k", "Continue draws only among the k most likely tokens (with a temperature above 0).",
                label_w);
  slider_int(layout, "##top_k", &sampling.top_k, 1, 200, ImGuiSliderFlags_AlwaysClamp);
  if (!hosted.load_error.empty() || !hosted.error.empty()) {
    const std::string& message = hosted.error.empty() ? hosted.load_error : hosted.error;
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.error);
    text_wrapped(layout, "error", message);
    ImGui::PopStyleColor();
  }
}

}  // namespace

void draw_controls_panel(UiContext& ctx) {
  section(ctx, "MODEL");
  model_picker(ctx);
  if (ctx.hosted)
    opened_model_controls(ctx);
  else
    model_controls(ctx);
  section(ctx, "VIEW");
  view_controls(ctx);
}

}  // namespace app::gui
