// Defaults and small invariants of AppState.
#include "core/app_state.hpp"

#include <algorithm>

namespace app {

AppState default_state() {
  AppState s;
  s.input.text = kExampleSentence;
  s.input.config.d_model = 64;
  s.input.config.n_heads = 4;
  s.input.config.positional = attn::Positional::Sinusoidal;
  return s;
}

void clamp_head_selection(AppState& state, int n_heads) {
  if (n_heads <= 0) return;
  state.selected_head = std::clamp(state.selected_head, 0, n_heads - 1);
  if (state.enlarged_head >= n_heads) state.enlarged_head = -1;
}

}  // namespace app
