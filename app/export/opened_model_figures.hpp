// Figures of a model that reads text (the model host's OpenedModel): the overview of every layer
// and head, which heads matter for the sentence, and the predictions after a position. The window
// and `attnlab export --what model|importance|predictions` both call opened_model_figure(), so the
// same model, sentence and options give the same bytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model_host.hpp"
#include "core/predictions.hpp"
#include "export/export.hpp"
#include "export/figure.hpp"
#include "export/text_shaper.hpp"

namespace app {

enum class ModelFigure { Overview, Importance, Predictions };

// The predictions figure's bars by default, and at most.
inline constexpr int kDefaultTopK = 10;
inline constexpr int kMaxTopK = 50;

struct ModelFigureRequest {
  ModelFigure what = ModelFigure::Overview;
  int position = -1;                      // Predictions: after this token (0-based); -1: the last
  int top_k = kDefaultTopK;               // Predictions: how many tokens (1 to kMaxTopK)
  std::vector<std::uint8_t> knocked_out;  // (n_layers * n_heads) heads zeroed, as in the window; empty: none
};

// "overview", "importance", "predictions": the part of a suggested file name.
const char* model_figure_part_name(ModelFigure what);

// Every layer x head as a thumbnail of its attention on the sentence (L rows, H columns) with
// layer and head labels, each head's strongest detector as a letter with a legend, one color
// bar, and the tokens as labels when the thumbnails have room for them (a list of the tokens
// otherwise). Throws std::invalid_argument for a result with no layers or tokens.
Figure layout_overview_figure(const ModelResult& result, const std::string& caption, const FigureOptions& options,
                              const TextShaper& shaper);

// The layers x heads map of head_importance() with its value in every cell, a color bar centred
// on 0, the token measured (`target`, readable) and its base log-probability, and beside it each
// head's strongest detector and score. Throws std::invalid_argument for an unfinished map.
Figure layout_importance_figure(const ModelResult& result, const HeadImportance& importance, const std::string& target,
                                const std::string& caption, const FigureOptions& options, const TextShaper& shaper);

// The top-k next tokens after token `position` (0-based) of `result` as horizontal bars with
// their probabilities. Throws std::invalid_argument when `top` is empty.
Figure layout_predictions_figure(const ModelResult& result, int position, const std::vector<Prediction>& top,
                                 const std::string& caption, const FigureOptions& options, const TextShaper& shaper);

// Reads `text` with `model` (compute_model_result, head_importance for Importance: the window's
// own code) on the calling thread and lays out the figure. Throws std::invalid_argument for an
// empty sentence, a position outside it, or top_k outside 1..kMaxTopK.
Figure opened_model_figure(const OpenedModel& model, const std::string& text, const ModelFigureRequest& request,
                           const FigureOptions& options, const TextShaper& shaper);

}  // namespace app
