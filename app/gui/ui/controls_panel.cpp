// Model and view controls, each with a (?) that teaches what the knob does to the math.
#include <imgui.h>

#include <cstdint>
#include <random>

#include "gui/ui/panels.hpp"
#include "gui/ui/widgets.hpp"

namespace app::gui {

namespace {

void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", title);
  ImGui::Separator();
}

void model_controls(UiContext& ctx) {
  attn::ModelConfig& c = ctx.state.input.config;
  const float width = ImGui::GetContentRegionAvail().x * 0.55f;
  ImGui::PushItemWidth(width);

  ImGui::SliderInt("Heads", &c.n_heads, 1, kMaxUiHeads, "%d", ImGuiSliderFlags_AlwaysClamp);
  help_marker("How many attention heads run side by side. Each head has its own W_q, W_k and W_v, "
              "so each can attend to different things; their outputs are concatenated and mixed "
              "by W_O.");

  if (ImGui::SliderInt("d_model", &c.d_model, kMinUiDModel, kMaxUiDModel, "%d", ImGuiSliderFlags_AlwaysClamp))
    ctx.state.input.d_model_given = true;
  help_marker("The width of every token vector (embedding plus position) entering attention, and "
              "of the output. With d_head on auto it must be divisible by the number of heads. "
              "Ctrl+click to type a value.");

  bool auto_head = c.d_head == 0;
  if (ImGui::Checkbox("auto d_head", &auto_head))
    c.d_head = auto_head ? 0 : std::max(1, c.resolved_d_head());
  help_marker("Auto: d_head = d_model / heads, as in the original Transformer. Off: choose d_head "
              "yourself; the projections then map d_model to heads x d_head and W_O maps back.");
  if (!auto_head) {
    ImGui::SliderInt("d_head", &c.d_head, 1, 128, "%d", ImGuiSliderFlags_AlwaysClamp);
  } else {
    ImGui::BeginDisabled();
    int shown = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
    ImGui::SliderInt("d_head", &shown, 1, 128);
    ImGui::EndDisabled();
  }

  const std::uint64_t one = 1;
  ImGui::InputScalar("Seed", ImGuiDataType_U64, &c.seed, &one, nullptr, "%llu");
  ImGui::SameLine();
  if (ImGui::Button("Re-roll")) {
    std::random_device device;
    c.seed = device() % 1000000;
  }
  help_marker("The seed makes the random parts repeatable: the word vectors, learned positions and "
              "the weights. The same word gets the same vector in every sentence for one seed.");

  static const char* const kPositional[] = {"none", "sinusoidal", "learned", "rotary (RoPE)"};
  int positional = static_cast<int>(c.positional);
  if (ImGui::Combo("Positions", &positional, kPositional, 4)) c.positional = static_cast<attn::Positional>(positional);
  help_marker("Attention itself ignores word order. Sinusoidal adds the 2017 paper's sine/cosine "
              "waves to each token vector; learned adds a trained (here: seeded random) table; "
              "rotary rotates q and k by the position, so scores depend on relative distance "
              "(needs an even d_head); none shows attention as a bag of words.");

  ImGui::Checkbox("Causal mask", &c.causal);
  help_marker("A decoder (like GPT) may not look ahead: each query sees only itself and earlier "
              "keys. Masked scores become -infinity before the softmax, so their weights are exactly 0.");

  ImGui::SliderFloat("Temperature", &c.temperature, 0.05f, 10.0f, "%.2f",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  help_marker("Scores are divided by sqrt(d_head) x temperature before the softmax. Low "
              "temperature sharpens attention towards the best-matching key; high flattens it.");

  int mode = static_cast<int>(ctx.state.input.tokenizer);
  ImGui::TextUnformatted("Tokens");
  ImGui::SameLine();
  ImGui::RadioButton("words", &mode, 0);
  ImGui::SameLine();
  ImGui::RadioButton("characters", &mode, 1);
  ctx.state.input.tokenizer = static_cast<attn::TokenizerMode>(mode);
  help_marker("Words: words and punctuation marks are tokens (each CJK character on its own). "
              "Characters: every character is a token. Real models use subword tokens, in between.");

  if (!ctx.state.input.weights_path.empty()) {
    ImGui::TextWrapped("Weights: %s", ctx.state.input.weights_path.c_str());
    if (ImGui::Button("Use seeded weights")) {
      ctx.state.input.weights_path.clear();
      ctx.state.input.d_model_given = true;
    }
  }
  ImGui::PopItemWidth();

  if (!ctx.model.error().empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.colors.error);
    ImGui::TextWrapped("%s", ctx.model.error().c_str());
    ImGui::PopStyleColor();
    ImGui::TextDisabled("Showing the last valid result.");
  }
}

void view_controls(UiContext& ctx) {
  ViewSettings& v = ctx.state.view;
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  static const Colormap kMaps[] = {Colormap::Viridis, Colormap::Magma, Colormap::Cividis, Colormap::Grayscale};
  if (ImGui::BeginCombo("Colormap", std::string(colormap_name(v.colormap)).c_str())) {
    for (Colormap m : kMaps)
      if (ImGui::Selectable(std::string(colormap_name(m)).c_str(), m == v.colormap)) v.colormap = m;
    ImGui::EndCombo();
  }
  help_marker("Colours for attention weights. All four are perceptually uniform (equal steps look "
              "equal) and readable with colour-blindness; grayscale also survives a black-and-white "
              "printer. Q/K/V use a blue-white-red map centred on zero.");
  int range = static_cast<int>(v.range);
  ImGui::RadioButton("per head", &range, 0);
  ImGui::SameLine();
  ImGui::RadioButton("0 to 1", &range, 1);
  v.range = static_cast<RangeMode>(range);
  help_marker("Per head stretches each head's colours from its smallest to its largest weight, to "
              "show its pattern. 0 to 1 uses one scale for all heads, so heads can be compared.");
  ImGui::Checkbox("Numbers in cells", &v.show_values);
  ImGui::Checkbox("Q/K/V view", &v.show_qkv);
  int theme = static_cast<int>(v.theme);
  ImGui::RadioButton("dark", &theme, 0);
  ImGui::SameLine();
  ImGui::RadioButton("light (projector)", &theme, 1);
  v.theme = static_cast<Theme>(theme);
  float scale = v.ui_scale > 0.0f ? v.ui_scale : ctx.scale;
  if (ImGui::SliderFloat("UI scale", &scale, kMinUiScale, kMaxUiScale, "%.2fx", ImGuiSliderFlags_AlwaysClamp))
    v.ui_scale = scale;
  help_marker("Makes all text and controls larger, up to 3x, for a projector. Ctrl+= and Ctrl+- "
              "also change it; F11 toggles full screen.");
  ImGui::PopItemWidth();
}

}  // namespace

void draw_controls_panel(UiContext& ctx) {
  section("MODEL");
  model_controls(ctx);
  section("VIEW");
  view_controls(ctx);
}

}  // namespace app::gui
