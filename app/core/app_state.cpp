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

int heads_dividing(int d_model, int from, int to, int max_heads) {
  const int hi = std::max(1, max_heads);
  to = std::clamp(to, 1, hi);
  if (d_model <= 0) return to;
  const int step = to >= from ? 1 : -1;
  for (int h = to; h >= 1 && h <= hi; h += step)
    if (d_model % h == 0) return h;
  for (int h = to; h >= 1 && h <= hi; h -= step)
    if (d_model % h == 0) return h;
  return 1;  // 1 divides everything: never reached
}

void clamp_head_selection(AppState& state, int n_heads) {
  if (n_heads <= 0) return;
  state.selected_head = std::clamp(state.selected_head, 0, n_heads - 1);
  if (state.enlarged_head >= n_heads) state.enlarged_head = -1;
}

}  // namespace app
