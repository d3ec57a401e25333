// Detector scores from a forward pass's attention weights.
#include "engine/train/detectors.hpp"

namespace attn {

HeadScore DetectorScores::best(Detector d) const {
  HeadScore best;
  const std::vector<float>& s = score[static_cast<int>(d)];
  for (int l = 0; l < n_layers; ++l)
    for (int h = 0; h < n_heads && !s.empty(); ++h)
      if (best.layer < 0 || at(d, l, h) > best.score) best = {l, h, at(d, l, h)};
  return best;
}

DetectorScores score_detectors(const Activations& acts, const std::vector<Sequence>& seqs,
                               const std::vector<Detector>& which) {
  DetectorScores out;
  out.n_layers = static_cast<int>(acts.layers.size());
  const std::size_t T = static_cast<std::size_t>(acts.T);
  out.n_heads = out.n_layers && acts.B
                    ? static_cast<int>(acts.layers[0].attn.size() / (static_cast<std::size_t>(acts.B) * T * T))
                    : 0;
  out.reported = which;
  const std::size_t H = static_cast<std::size_t>(out.n_heads);
  for (Detector d : which) {
    std::vector<float>& s = out.score[static_cast<int>(d)];
    s.assign(static_cast<std::size_t>(out.n_layers) * H, 0.0f);
    std::size_t cells = 0;
    for (const Sequence& seq : seqs) cells += seq.cells[static_cast<int>(d)].size();
    if (cells == 0) continue;
    for (std::size_t l = 0; l < static_cast<std::size_t>(out.n_layers); ++l)
      for (std::size_t h = 0; h < H; ++h) {
        double sum = 0.0;
        for (std::size_t b = 0; b < seqs.size() && b < static_cast<std::size_t>(acts.B); ++b) {
          const float* a = acts.layers[l].attn.data() + (b * H + h) * T * T;
          for (const Cell& c : seqs[b].cells[static_cast<int>(d)])
            sum += a[static_cast<std::size_t>(c.query) * T + static_cast<std::size_t>(c.key)];
        }
        s[l * H + h] = static_cast<float>(sum / static_cast<double>(cells));
      }
  }
  return out;
}

}  // namespace attn
