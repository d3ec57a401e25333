// Figures of a trained model: every layer's heads (the window's model view), the training curves,
// and an animated GIF of the model view over a run. Drawn as display lists like every figure, so
// PNG, SVG and PDF show the same picture.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/train_host.hpp"
#include "export/export.hpp"
#include "export/figure.hpp"
#include "export/text_shaper.hpp"

namespace app {

// Every layer's heads, a block per layer from layer 1 down. `text` is the input's text, `caption`
// says what the model is (model_caption()). Throws std::invalid_argument with no tokens.
Figure layout_model_figure(const std::vector<attn::Trace>& layers, const std::string& text, const std::string& caption,
                           const FigureOptions& options, const TextShaper& shaper);

// Loss and accuracy over the steps, then one panel per detector with every head's score in its
// head colour, the best head named. Throws std::invalid_argument for an empty curve.
Figure layout_curves_figure(const std::vector<std::shared_ptr<const CurvePoint>>& curve, int n_layers, int n_heads,
                            const std::string& caption, const FigureOptions& options, const TextShaper& shaper);

// The model view at each snapshot of a run (at most `max_frames`, spread evenly, the last one
// always in), run on `text`, as an animated GIF; each frame's caption names its step, loss and best
// heads. `spec` gives the model's shape, task and vocabulary. Throws std::invalid_argument.
std::string model_movie_gif(const attn::Checkpoint& spec, const std::vector<ParamsAtStep>& snapshots,
                            const std::vector<std::shared_ptr<const CurvePoint>>& curve, const std::string& text,
                            const FigureOptions& options, int max_frames = 48);

// Frames (RGBA8, all width x height) as a looping animated GIF, each frame with its own
// 256-colour palette, shown `delay_cs` hundredths of a second (the last one three times longer).
std::string encode_gif(const std::vector<std::vector<unsigned char>>& frames, int width, int height, int delay_cs);

}  // namespace app
