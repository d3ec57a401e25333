// `attnlab export`: figures and data files from the command line, with no display needed, so a
// lecture's figures can be scripted.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "core/detector_notes.hpp"
#include "core/hf_run.hpp"
#include "core/model_run.hpp"
#include "engine/npy.hpp"
#include "export/export.hpp"
#include "export/export_paths.hpp"
#include "export/figure_render.hpp"
#include "export/model_figures.hpp"
#include "export/opened_model_figures.hpp"

namespace app::cli {

namespace {

const char* const kExportHelp =
    "Usage: attnlab export --out PATH [model flags] [figure flags]\n\n"
    "Writes one figure (PNG, SVG, PDF) or data file (CSV, NPY). Needs no display.\n"
    "  --model CKPT.npz       draw a trained model (from attnlab train) instead of the explorer\n"
    "  --lesson NAME          a lesson model as --model: sentences, induction, reverse, sort or english\n"
    "  --model HF_FOLDER      a Hugging Face GPT-2 folder (config.json, model.safetensors, vocab.json,\n"
    "                         merges.txt); --text split by its BPE, or token ids: --ids 464,3290,...\n"
    "  --layer I              with --model: the layer to draw, from 1 (default 1)\n"
    "  --what model           with --model: every layer's heads in one figure (PNG, SVG or PDF); for a model\n"
    "                         that reads text (a GPT-2 folder, --lesson english) the overview: every head\n"
    "                         as a thumbnail, marked with its strongest pattern\n"
    "  --what importance      with a model that reads text: which heads matter, the change in log p of\n"
    "                         the model's next token when each head is knocked out (one forward a head)\n"
    "  --what predictions     with a model that reads text: the top-k next tokens after --position\n"
    "  --position P           predictions after token P, from 1 (default: the last)\n"
    "  --top-k K              predictions: how many tokens, 1-50 (default 10)\n"
    "  --out PATH             the file to write; a folder gets a name made from the sentence\n"
    "  --what W               grid (all heads, default) | head:N | qkv:N | lines (all heads as lines) |\n"
    "                         lines:N | step:HEAD:QUERY (one query's attention step by step; from 1)\n"
    "  --format F             png | svg | pdf | csv | npy (default: from the --out file name, else png)\n"
    "  --scale S              1-4, multiplies every size (default 1)\n"
    "  --theme T              light (print, default) | dark\n"
    "  --transparent          no background\n"
    "  --colormap C           viridis (default) | magma | cividis | grayscale\n"
    "  --range R              head (each head its own range, default) | fixed (0 to 1)\n"
    "  --no-values            no numbers inside cells\n\n"
    "Model flags:\n";

void parse_what(const std::string& text, ExportRequest& r, bool& whole_model,
                std::optional<ModelFigure>& model_figure) {
  whole_model = text == "model";
  model_figure.reset();
  if (text == "importance" || text == "predictions") {
    model_figure = text == "importance" ? ModelFigure::Importance : ModelFigure::Predictions;
    return;
  }
  if (text == "grid" || whole_model) {
    r.kind = ExportKind::Grid;
    return;
  }
  if (text == "lines") {
    r.kind = ExportKind::Lines;
    r.head = -1;
    return;
  }
  const std::size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const char* const kinds =
      "--what must be grid, head:N, qkv:N, lines, lines:N, step:HEAD:QUERY, model, importance or predictions, got '";
  if (colon == std::string::npos || (kind != "head" && kind != "qkv" && kind != "lines" && kind != "step"))
    throw UsageError(kinds + text + "'");
  r.kind = kind == "head"    ? ExportKind::Head
           : kind == "qkv"   ? ExportKind::Qkv
           : kind == "lines" ? ExportKind::Lines
                             : ExportKind::Step;
  std::string rest = text.substr(colon + 1);
  if (r.kind == ExportKind::Step) {
    const std::size_t second = rest.find(':');
    if (second == std::string::npos) throw UsageError("--what step needs HEAD:QUERY (both from 1), got '" + text + "'");
    r.query = parse_int("--what", rest.substr(second + 1), 1, 100000) - 1;
    rest = rest.substr(0, second);
  }
  r.head = parse_int("--what", rest, 1, 1000) - 1;
}

// A model that reads text: a Hugging Face GPT-2 folder, or a checkpoint that carries its BPE.
// A checkpoint of a toy task says which task it reads instead.
bool reads_text(const std::string& path, const std::string& what) {
  if (opens_in_explore(path)) return true;
  if (what.empty()) return false;
  const attn::Checkpoint ck = attn::load_checkpoint(path);  // an unreadable file: its FileError (exit 1)
  throw UsageError("--what " + what +
                   " needs a model that reads text (a GPT-2 folder, or a checkpoint trained on text "
                   "such as --lesson english); " +
                   path + " was trained on the " + ck.task + " task");
}

// --what model (of a model that reads text), importance or predictions: the window's figures.
int export_opened_model(const std::string& model_path, const std::string& text, const ModelFigureRequest& request,
                        const FigureOptions& options, std::optional<ExportFormat> format, std::string out) {
  const std::optional<ExportFormat> from_name = format_from_path(out);
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(out, ec);
  const ExportFormat f = format ? *format : folder ? ExportFormat::Png : from_name.value_or(ExportFormat::Png);
  if (!is_figure_format(f) || (!folder && from_name && !is_figure_format(*from_name)))
    throw UsageError(std::string("--what ") +
                     (request.what == ModelFigure::Overview ? "model" : model_figure_part_name(request.what)) +
                     " is a figure: write .png, .svg or .pdf");
  if (format && from_name && !folder && *format != *from_name)
    throw UsageError("--format " + std::string(format_extension(*format)) + " does not match the file name " + out);
  const std::size_t dot = out.find_last_of('.'), slash = out.find_last_of('/');
  if (!folder && !from_name && dot != std::string::npos && (slash == std::string::npos || dot > slash))
    throw UsageError("--out " + out + ": '" + out.substr(dot) +
                     "' is not a file type attnlab writes; use .png, .svg or .pdf");
  const std::shared_ptr<const OpenedModel> model = open_model_path(model_path);
  if (folder)
    out = unique_path(out + "/" +
                      suggested_file_name(text, model_figure_part_name(request.what), std::string(format_extension(f)),
                                          std::time(nullptr)));
  const TextShaper shaper;
  const Figure figure = opened_model_figure(*model, text, request, options, shaper);
  attn::write_file_atomic(out, encode_figure(figure, f, shaper));
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace

int run_export(const std::vector<std::string>& argv) {
  return guarded("export", [&] {
    ModelInput input;
    input.text = kExampleSentence;
    ExportRequest request;
    std::optional<ExportFormat> format;
    std::string out, model_path, explorer_flag;
    int layer = 1;
    bool text_given = false, whole_model = false, layer_given = false;
    std::optional<ModelFigure> model_figure;
    std::optional<int> position, top_k;
    std::optional<std::vector<std::int32_t>> ids;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::printf("%s%s", kExportHelp, kModelFlagsHelp);
        return 0;
      }
      if (parse_model_flag(flag, args, input)) {
        if (flag == "--text")
          text_given = true;
        else if (explorer_flag.empty())
          explorer_flag = flag;
        continue;
      }
      if (flag == "--out")
        out = args.value(flag);
      else if (parse_checkpoint_flag(flag, args, model_path))
        continue;
      else if (flag == "--layer") {
        layer = args.int_value(flag, 1, attn::kMaxModelLayers);
        layer_given = true;
      } else if (flag == "--position")
        position = args.int_value(flag, 1, 1 << 20);
      else if (flag == "--top-k")
        top_k = args.int_value(flag, 1, kMaxTopK);
      else if (flag == "--ids")
        ids = parse_ids(flag, args.value(flag));
      else if (flag == "--what")
        parse_what(args.value(flag), request, whole_model, model_figure);
      else if (flag == "--format") {
        const std::string v = args.value(flag);
        format = format_from_path("x." + v);
        if (!format) throw UsageError("--format must be png, svg, pdf, csv or npy, got '" + v + "'");
      } else if (flag == "--scale")
        request.options.scale = args.int_value(flag, 1, 4);
      else if (flag == "--theme") {
        const std::string v = args.value(flag);
        const std::optional<Theme> theme = parse_theme(v);
        if (!theme) throw UsageError("--theme must be light or dark, got '" + v + "'");
        request.options.theme = *theme;
      } else if (flag == "--transparent")
        request.options.transparent = true;
      else if (flag == "--colormap") {
        const std::string v = args.value(flag);
        const auto map = parse_colormap(v);
        if (!map || !colormap_info(*map).for_weights)
          throw UsageError("--colormap must be " + weight_colormap_names() + ", got '" + v + "'");
        request.options.colormap = *map;
      } else if (flag == "--range") {
        const std::string v = args.value(flag);
        if (v != "head" && v != "fixed") throw UsageError("--range must be head or fixed, got '" + v + "'");
        request.options.per_head_range = v == "head";
      } else if (flag == "--no-values")
        request.options.show_values = false;
      else
        throw UsageError("unknown flag '" + flag + "'");
    }
    if (out.empty()) throw UsageError("--out PATH is required");

    if (!model_path.empty() && !explorer_flag.empty())
      throw UsageError(explorer_flag + " does not apply with --model: the checkpoint fixes the model");
    if (whole_model && model_path.empty()) throw UsageError("--what model needs --model CKPT.npz or --lesson NAME");
    if (model_figure && model_path.empty())
      throw UsageError(std::string("--what ") + model_figure_part_name(*model_figure) +
                       " needs a model that reads text: --model HF_FOLDER, --model CKPT.npz or --lesson english");
    if ((position || top_k) && model_figure != ModelFigure::Predictions)
      throw UsageError(std::string(position ? "--position" : "--top-k") + " is for --what predictions");
    // --what model of a model that reads text is its overview; given as --ids (a GPT-2 folder's
    // token ids, which need not be any text's encoding) it stays every layer's heads at full size.
    if (model_figure ? reads_text(model_path, model_figure_part_name(*model_figure))
                     : whole_model && !ids && reads_text(model_path, "")) {
      if (!model_figure) model_figure = ModelFigure::Overview;
      const std::string what = whole_model ? "model" : model_figure_part_name(*model_figure);
      if (ids) throw UsageError("--what " + what + " reads --text; --ids is for the layer figures and --what model");
      if (layer_given) throw UsageError("--layer does not apply to --what " + what + ": it draws every layer");
      ModelFigureRequest figure_request;
      figure_request.what = *model_figure;
      figure_request.position = position ? *position - 1 : -1;
      figure_request.top_k = top_k.value_or(kDefaultTopK);
      return export_opened_model(model_path, input.text, figure_request, request.options, format, out);
    }
    const bool hf_model = !model_path.empty() && attn::is_hf_folder(model_path);
    if (hf_model && text_given && ids) throw UsageError("give the sentence once: --ids or --text");
    if (ids && !hf_model)
      throw UsageError("--ids is for Hugging Face model folders (--model DIR); this model reads --text");
    attn::HfGpt2 hf;  // the Hugging Face model, when drawing one (its weights outlive the request)
    std::optional<ModelRun> hf_run;
    if (hf_model) {
      hf = attn::load_hf_gpt2(model_path);
      hf_run = run_hf_ids(hf, ids ? *ids : hf_encode_text(hf, input.text));
      input.text = run_text(*hf_run);
      text_given = true;
    }
    if (whole_model && hf_model) {
      const ExportFormat f = format.value_or(format_from_path(out).value_or(ExportFormat::Png));
      const TextShaper shaper;
      // No task to sample: each head is named by the generic detectors on this text itself.
      const attn::DetectorScores scores = text_detector_scores(*hf_run);
      attn::write_file_atomic(
          out, encode_figure(layout_model_figure(*hf_run, input.text, hf_caption(hf), request.options, shaper, &scores),
                             f, shaper));
      std::printf("wrote %s\n", out.c_str());
      return 0;
    }
    if (whole_model) {
      const attn::Checkpoint ck = attn::load_checkpoint(model_path);
      const std::string text = text_given ? input.text : example_text(ck);
      const ModelRun run = run_model(ck.model, ck, text);
      const std::string caption = model_caption(ck);
      const ExportFormat f = format.value_or(format_from_path(out).value_or(ExportFormat::Png));
      const TextShaper shaper;
      // Each head's title names its detector, scored on the task's held-out batch as training did.
      std::optional<attn::DetectorScores> scores = checkpoint_detector_scores(ck);
      if (!scores) scores = text_detector_scores(run);  // a custom model: the generic detectors on this text
      attn::write_file_atomic(out, encode_figure(layout_model_figure(run, text, caption, request.options, shaper,
                                                                     scores ? &*scores : nullptr),
                                                 f, shaper));
      std::printf("wrote %s\n", out.c_str());
      return 0;
    }
    attn::SequenceRun explorer_run;  // the explorer's, when drawing it
    std::optional<ModelRun> ck_run;  // a trained model's, when drawing one
    const attn::SequenceRun* run = &explorer_run;
    std::optional<attn::LayerView> shown;  // the layer drawn, read from `run`
    attn::MhaWeights step_weights;         // W_O for a step-through figure of the explorer
    attn::Checkpoint checkpoint;           // the trained model, when drawing one
    if (model_path.empty()) {
      const ResolvedModel resolved = resolve_model(input);
      explorer_run = compute_run(input, resolved);
      if (request.kind == ExportKind::Step) {
        // The weights are this scope's: the figure is written before it ends (copied into the request's owner).
        step_weights = resolved.weights;
        request.projection = {step_weights.out_proj_weight.data(), step_weights.out_proj_bias.data()};
      }
    } else if (hf_model) {
      run = &*hf_run;
      shown = run->layer(layer - 1);  // throws for a layer the model does not have
      const attn::BlockParams<const float> block = hf.model.weights().blocks[static_cast<std::size_t>(layer - 1)];
      request.projection = {block.out_proj_w, block.out_proj_b};
      input.config = run->config;
      request.options.caption = hf_caption(hf, layer - 1);
      request.options.head_notes = detector_notes(text_detector_scores(*hf_run), layer - 1);
    } else {
      checkpoint = attn::load_checkpoint(model_path);
      const attn::Checkpoint& ck = checkpoint;
      if (!text_given) input.text = example_text(ck);
      ck_run = run_model(ck.model, ck, input.text);
      run = &*ck_run;
      shown = run->layer(layer - 1);  // throws for a layer the model does not have
      const attn::BlockParams<const float> block = ck.model.weights().blocks[static_cast<std::size_t>(layer - 1)];
      request.projection = {block.out_proj_w, block.out_proj_b};
      input.config = run->config;
      request.options.caption = model_caption(ck, layer - 1);
      // Each head's title names its detector, as in --what model.
      const std::optional<attn::DetectorScores> scores = checkpoint_detector_scores(ck);
      request.options.head_notes = detector_notes(scores ? *scores : text_detector_scores(*ck_run), layer - 1);
    }
    if (!shown) shown = explorer_run.layer(0);
    if (request.kind != ExportKind::Grid && request.head >= shown->config.n_heads)
      throw UsageError("head " + std::to_string(request.head + 1) + " does not exist (this model has " +
                       std::to_string(shown->config.n_heads) + (shown->config.n_heads == 1 ? " head)" : " heads)"));
    std::error_code ec;
    if (std::filesystem::is_directory(out, ec)) {
      request.format = format.value_or(ExportFormat::Png);
      out = unique_path(out + "/" +
                        suggested_file_name(input.text, export_part_name(request.kind, request.head),
                                            std::string(format_extension(request.format)), std::time(nullptr)));
    } else {
      const auto from_name = format_from_path(out);
      const std::size_t dot = out.find_last_of('.'), slash = out.find_last_of('/');
      if (!from_name && dot != std::string::npos && (slash == std::string::npos || dot > slash))
        throw UsageError("--out " + out + ": '" + out.substr(dot) +
                         "' is not a file type attnlab writes; use .png, .svg, .pdf, .csv or .npy (or --format)");
      if (format && from_name && *format != *from_name)
        throw UsageError("--format " + std::string(format_extension(*format)) + " does not match the file name " + out);
      request.format = format ? *format : from_name.value_or(ExportFormat::Png);
    }
    request.path = out;
    if (run->tokenization.truncated) std::fprintf(stderr, "attnlab export: %s\n", run->tokenization.message.c_str());
    export_layer(*shown, input, request);
    std::printf("wrote %s\n", out.c_str());
    return 0;
  });
}

}  // namespace app::cli
