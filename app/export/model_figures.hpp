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
// says what the model is (model_caption()); with `scores`, each head's title names its detector
// ("Head 3 · previous-token 0.67", detector_note()). Throws std::invalid_argument with no tokens.
Figure layout_model_figure(const attn::SequenceRun& run, const std::string& text, const std::string& caption,
                           const FigureOptions& options, const TextShaper& shaper,
                           const attn::DetectorScores* scores = nullptr);

// Loss and accuracy over the steps, then one panel per detector with every head's score in its
// head color, the best head named. Throws std::invalid_argument for an empty curve.
Figure layout_curves_figure(const std::vector<std::shared_ptr<const CurvePoint>>& curve, int n_layers, int n_heads,
                            const std::string& caption, const FigureOptions& options, const TextShaper& shaper);

// The training movie's frames are slides: 16:9, kMovieWidth x kMovieHeight pixels.
inline constexpr int kMovieWidth = 1920, kMovieHeight = 1080;
// The run plays in about kMoviePlaySeconds, then the last frame stays kMovieHoldCs hundredths.
inline constexpr int kMoviePlayCs = 400, kMovieHoldCs = 200;

// What one frame of the movie says besides the heads.
struct MovieFrameInfo {
  long long step = 0, total_steps = 0;
  const CurvePoint* point = nullptr;  // loss, accuracy and detector scores at or before `step`; null: none yet
  std::string caption;                // what the model is (model_caption())
  // The whole run's curve (null: none): the loss so far is drawn beside the numbers, on axes
  // that span the whole run so they never move from frame to frame.
  const std::vector<std::shared_ptr<const CurvePoint>>* curve = nullptr;
};

// One frame: the step and the held-out loss large across the top, the loss curve so far and a
// progress bar, then every
// layer's heads as a grid (a row per layer, a column per head) on one 0..1 color scale, each
// head titled with its detector, token labels and "query"/"key" axis titles while the cells are
// large enough for them. Always kMovieWidth x kMovieHeight. Throws std::invalid_argument.
Figure layout_movie_frame(const attn::SequenceRun& run, const std::string& text, const MovieFrameInfo& info,
                          const FigureOptions& options, const TextShaper& shaper);

// The movie frame at each snapshot of a run (at most `max_frames`, spread evenly, the last one
// always in), run on `text`, as a looping animated GIF: the run plays in about 4 s and the last
// frame holds 2 s. `spec` gives the model's shape, task and vocabulary. Throws std::invalid_argument.
std::string model_movie_gif(const attn::Checkpoint& spec, const std::vector<ParamsAtStep>& snapshots,
                            const std::vector<std::shared_ptr<const CurvePoint>>& curve, const std::string& text,
                            const FigureOptions& options, int max_frames = 48);

// A looping animated GIF written frame by frame with one palette (at most 255 colors; index 255
// is transparent). Each frame after the first stores only the rectangle that changed, with the
// pixels that did not change transparent, so a run whose text and frames stay put costs little.
class GifStream {
 public:
  GifStream(int width, int height, std::vector<Rgb8> palette);
  ~GifStream();
  GifStream(const GifStream&) = delete;
  GifStream& operator=(const GifStream&) = delete;
  // rgba: width x height RGBA8 (alpha ignored); each pixel takes the nearest palette color.
  void add(const std::vector<unsigned char>& rgba, int delay_cs);
  std::string finish();  // the file's bytes; the stream takes no frames after it

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

// The palette a figure in `theme` with `map` needs: the colormap, a ramp from the background to
// the text (anti-aliased text), and the non-finite color.
std::vector<Rgb8> figure_palette(Theme theme, Colormap map);

}  // namespace app
