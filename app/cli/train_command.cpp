// `attnlab train`: train a tiny transformer on a task, print progress, save a checkpoint.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cmath>
#include <cstdio>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/bench_stats.hpp"
#include "cli/commands.hpp"
#include "core/model_run.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "core/output_dir.hpp"
#include "core/process_memory.hpp"
#include "core/train_memory.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "export/model_figures.hpp"
#include "export/figure_render.hpp"
#include "engine/rng.hpp"
#include "engine/train/trainer.hpp"

namespace app::cli {

namespace {

const char* const kTrainHelp =
    "Usage: attnlab train --task T [model flags] [training flags] [--save CKPT.npz]\n\n"
    "Trains a tiny transformer on a task and prints one line every --every steps:\n"
    "  step=100 loss=1.234 acc=0.512 ms_per_step=3.21 previous-token=0.91@L1H2 induction=0.62@L2H3\n"
    "(loss and accuracy on a held-out batch; each detector's best head, layers and heads from 1).\n\n"
    "  --task T             induction | reverse | sort | sentences\n"
    "  --layers L           blocks, 1-4 (default 2)\n"
    "  --heads H            heads per block, 1-16 (default 4)\n"
    "  --d-model D          8-256 (default 64)\n"
    "  --d-head K           width of each head (default d_model / heads)\n"
    "  --mlp | --no-mlp     with or without the MLP after attention (default: without)\n"
    "  --positional P       none | sinusoidal | learned | rope (default learned)\n"
    "  --bidirectional      no causal mask (default: causal)\n"
    "  --temperature T      scores divided by sqrt(d_head) * T, 1e-6 to 1e6 (default 1)\n"
    "  --steps S            updates (default 600)\n"
    "  --batch B            sequences per step (default 32)\n"
    "  --seq-len N          tokens per sequence (default: the task's: induction 32, reverse/sort 24,\n"
    "                       sentences 20)\n"
    "  --lr LR              peak learning rate, 1e-6 to 1 (default 0.003)\n"
    "  --warmup N           linear warm-up steps (default 10)\n"
    "  --weight-decay W     AdamW weight decay on matrices, 0 to 0.99 (default 0.01)\n"
    "  --seed S             initial weights and data (default 1)\n"
    "  --every N            evaluate and print every N steps (default 50)\n"
    "  --save CKPT.npz      write the trained model (the checkpoint format is in the README)\n"
    "  --save DIR/          write it as a Hugging Face GPT-2 folder (needs --mlp, learned positions,\n"
    "                       causal, temperature 1 and heads * d_head = d_model)\n"
    "  --curves FILE        the loss, accuracy and head-score curves as a figure (.png, .svg or .pdf)\n"
    "  --movie FILE.gif     the model view on the task's example over the run, as a looping GIF for\n"
    "                       slides: 1920x1080 frames with the step and loss large, about 6 s a loop\n\n"
    "Real numbers are plain decimals or exponents (0.003, 3e-3); spaces, '+', hex, inf and nan are\n"
    "refused. Every output is checked before the first step: a --save name must end in .npz, and a\n"
    "missing folder, a folder, a device or a FIFO in place of a file is refused. A run that needs more\n"
    "memory than the machine has available, or than the 8 GiB any run may use, is refused with both\n"
    "numbers before it starts.\n\n"
    "Exit codes: 0 trained, 1 diverged or ran out of memory part-way (the last good parameters are\n"
    "kept and saved) or an output could not be written (the others are), 2 bad arguments or not\n"
    "enough memory to start.\n";

// The real-number flags' ranges, as --help states them. A learning rate below 1e-6 moves no
// float32 weight of these models; weight decay must stay below 1 (engine: [0, 1)).
constexpr double kMinLearningRate = 1e-6, kMaxWeightDecay = 0.99;

std::string detector_columns(const attn::Evaluation& e) {
  std::string s;
  char buf[96];
  for (attn::Detector d : e.detectors.reported) {
    const attn::HeadScore best = e.detectors.best(d);
    std::snprintf(buf, sizeof buf, " %s=%.2f@L%dH%d", std::string(attn::to_string(d)).c_str(),
                  static_cast<double>(best.score), best.layer + 1, best.head + 1);
    s += buf;
  }
  return s;
}


}  // namespace

int run_train(const std::vector<std::string>& argv) {
  return guarded("train", [&]() -> int {
    std::string task_name, save, curves_path, movie_path;
    bool save_given = false, curves_given = false, movie_given = false;  // an empty name is an error, not "none"
    std::string memory_line;
    std::uint64_t need_total = 0;
    attn::Arch arch;
    attn::RunOptions run;
    attn::TrainSettings settings;
    int d_head = 0, seq_len = 0, every = 50;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::fputs(kTrainHelp, stdout);
        return 0;
      }
      if (flag == "--task") task_name = args.value(flag);
      else if (flag == "--layers") arch.n_layers = args.int_value(flag, 1, attn::kMaxLayers);
      else if (flag == "--heads") arch.n_heads = args.int_value(flag, 1, attn::kMaxTrainHeads);
      else if (flag == "--d-model") arch.d_model = args.int_value(flag, attn::kMinTrainDModel, attn::kMaxTrainDModel);
      else if (flag == "--d-head") d_head = args.int_value(flag, 1, attn::kMaxTrainDHead);
      else if (flag == "--mlp") arch.mlp = true;
      else if (flag == "--no-mlp") arch.mlp = false;
      else if (flag == "--bidirectional") run.causal = false;
      else if (flag == "--causal") run.causal = true;
      else if (flag == "--temperature") run.temperature = args.float_value(flag, static_cast<double>(attn::kMinTemperature),
                                                                                  static_cast<double>(attn::kMaxTemperature));
      else if (flag == "--positional") {
        const std::string p = args.value(flag);
        const auto parsed = attn::parse_positional(p);
        if (!parsed) throw UsageError("--positional must be none, sinusoidal, learned or rope, got '" + p + "'");
        run.positional = *parsed;
      } else if (flag == "--steps") settings.steps = args.int_value(flag, 1, 10000000);
      else if (flag == "--batch") settings.batch = args.int_value(flag, 1, 1024);
      else if (flag == "--seq-len") seq_len = args.int_value(flag, 2, attn::kMaxSeqLen);
      else if (flag == "--lr") settings.lr = args.float_value(flag, kMinLearningRate, 1.0);
      else if (flag == "--warmup") settings.warmup_steps = args.int_value(flag, 0, 1000000);
      else if (flag == "--weight-decay") settings.weight_decay = args.float_value(flag, 0.0, kMaxWeightDecay);
      else if (flag == "--seed") settings.seed = args.u64_value(flag);
      else if (flag == "--every") every = args.int_value(flag, 1, 10000000);
      else if (flag == "--save") {
        save = args.value(flag);
        save_given = true;
      }
      else if (flag == "--curves") {
        curves_path = args.value(flag);
        curves_given = true;
      }
      else if (flag == "--movie") {
        movie_path = args.value(flag);
        movie_given = true;
      }
      else throw UsageError("unknown flag '" + flag + "'");
    }
    if (task_name.empty()) throw UsageError("--task is required (induction, reverse, sort or sentences)");
    // Every output is checked before the first step, so that a name that cannot be written fails
    // in a second instead of after the whole run (and takes no other output down with it).
    const auto check_output = [](const char* flag, const std::string& path) {
      try {
        check_output_file(path);
      } catch (const attn::FileError& e) {
        throw UsageError(std::string(flag) + ": " + e.what());
      }
    };
    // --save DIR/ (a trailing '/'): a Hugging Face GPT-2 folder.
    std::error_code ec;
    const bool save_hf = save_given && !save.empty() && save.back() == '/';
    if (save_hf) {  // the folder is made at the end: its parent must be there, and it must be a folder if it exists
      const std::filesystem::path folder = std::filesystem::path(save).parent_path();
      const std::filesystem::path parent = folder.has_parent_path() ? folder.parent_path() : std::filesystem::path(".");
      if (std::filesystem::exists(folder, ec) && !std::filesystem::is_directory(folder, ec))
        throw UsageError("--save " + save + ": it exists and is not a folder");
      if (!std::filesystem::is_directory(parent, ec))
        throw UsageError("--save " + save + ": the folder " + parent.string() + " does not exist");
    }
    if (save_given && !save_hf) {
      if (save.size() < 4 || save.compare(save.size() - 4, 4, ".npz") != 0)
        throw UsageError("--save needs a file name ending in .npz (a checkpoint is a .npz archive), got '" + save + "'");
      check_output("--save", save);
    }
    if (curves_given) {
      const auto f = format_from_path(curves_path);
      if (!f || !is_figure_format(*f)) throw UsageError("--curves needs a .png, .svg or .pdf file name, got '" + curves_path + "'");
      check_output("--curves", curves_path);
    }
    if (movie_given) {
      if (movie_path.size() < 4 || movie_path.compare(movie_path.size() - 4, 4, ".gif") != 0)
        throw UsageError("--movie needs a .gif file name, got '" + movie_path + "'");
      check_output("--movie", movie_path);
    }
    std::unique_ptr<attn::Task> task = attn::make_task(task_name);
    if (!task) throw UsageError("unknown task '" + task_name + "' (induction, reverse, sort or sentences)");
    if (d_head == 0) {
      if (arch.d_model % arch.n_heads != 0)
        throw UsageError("d_model (" + std::to_string(arch.d_model) + ") is not divisible by heads (" +
                         std::to_string(arch.n_heads) + "): give --d-head");
      d_head = arch.d_model / arch.n_heads;
    }
    arch.d_head = d_head;
    settings.seq_len = seq_len ? seq_len : task->default_seq_len();
    {
      // The memory this run needs, before any of it is asked for: the trainer's buffers, the
      // movie's parameter snapshots (at most 50) and two copies for the checkpoint.
      const attn::Arch trained = attn::trained_arch(arch, run, settings, *task);
      const std::uint64_t params_bytes = attn::ParamLayout::of(trained).total * sizeof(float);
      const TrainingNeed need = training_need(trained, run, settings, (movie_given ? 52 : 2) * params_bytes);
      need_total = need.total();
      const std::optional<std::uint64_t> available = available_memory_bytes();
      const std::string refusal = training_memory_refusal(need, settings, available);
      if (!refusal.empty()) throw UsageError(refusal);
      memory_line = "# memory: about " + attn::bytes_text(need.total()) + " for training, " +
                    (available ? attn::bytes_text(*available) : std::string("unknown")) + " available\n";
    }

    // A Hugging Face folder is refused before training when GPT-2 cannot express the model.
    if (save_hf) {
      attn::Model shape;
      shape.arch = arch;
      shape.run = run;
      const std::string why = attn::hf_gpt2_refusal(shape);
      if (!why.empty())
        throw UsageError("--save " + save + ": this model cannot be saved as a Hugging Face GPT-2 folder: " + why +
                         " (save it as a .npz checkpoint, or train with --mlp --positional learned)");
    }

    openblas_set_num_threads(1);  // one core, and a bit-identical run for the same seed
    attn::Trainer trainer(arch, run, settings, std::move(task));
    const attn::Model& m = trainer.model();
    std::printf("# task=%s layers=%d heads=%d d_model=%d d_head=%d mlp=%d positional=%s %s vocab=%d batch=%d "
                "seq=%d lr=%g steps=%d seed=%llu params=%zu\n",
                task_name.c_str(), m.arch.n_layers, m.arch.n_heads, m.arch.d_model, m.arch.d_head, m.arch.mlp ? 1 : 0,
                std::string(attn::to_string(m.run.positional)).c_str(), m.run.causal ? "causal" : "bidirectional",
                m.arch.vocab_size, settings.batch, settings.seq_len, static_cast<double>(settings.lr), settings.steps,
                static_cast<unsigned long long>(settings.seed), m.layout.total);
    std::fputs(memory_line.c_str(), stdout);

    using clock = std::chrono::steady_clock;
    double train_seconds = 0.0;
    std::vector<long long> formed_step(attn::kDetectorCount, -1);
    std::vector<double> formed_seconds(attn::kDetectorCount, 0.0);
    attn::Evaluation last;
    bool stopped_early = false;  // diverged or out of memory: the last good parameters are kept
    std::vector<std::shared_ptr<const CurvePoint>> curve;
    std::vector<ParamsAtStep> snapshots;
    const int snapshot_every = std::max(1, settings.steps / 48);
    const auto record = [&](const attn::Evaluation& e) { curve.push_back(curve_point(e, train_seconds)); };
    if (curves_given || movie_given) record(trainer.evaluate());
    if (movie_given) snapshots.push_back({0, std::make_shared<const std::vector<float>>(trainer.model().params)});
    long long window_start = 0;
    double window_seconds = 0.0;
    for (int s = 1; s <= settings.steps; ++s) {
      const auto t0 = clock::now();
      attn::StepResult r;
      try {
        r = trainer.step();
      } catch (const std::bad_alloc&) {
        // The estimate fitted when the run started; something else took the memory since. The
        // parameters of the last finished step are intact (a step changes them only at its end).
        trainer.release_step_buffers();
        const std::optional<std::uint64_t> now = available_memory_bytes();
        std::fprintf(stderr,
                     "attnlab train: out of memory at step %d (the run needs about %s, %s available now): "
                     "stopped, keeping the parameters of step %lld\n",
                     s, attn::bytes_text(need_total).c_str(), now ? attn::bytes_text(*now).c_str() : "an unknown amount",
                     trainer.steps_done());
        stopped_early = true;
        break;
      }
      const double dt = std::chrono::duration<double>(clock::now() - t0).count();
      train_seconds += dt;
      window_seconds += dt;
      if (r.diverged) {
        std::fprintf(stderr,
                     "attnlab train: diverged at step %d (loss %g, gradient norm %g): stopped, keeping the "
                     "parameters of step %lld\n",
                     s, static_cast<double>(r.loss), r.grad_norm, r.step);
        stopped_early = true;
        break;
      }
      if (movie_given && (s % snapshot_every == 0 || s == settings.steps))
        snapshots.push_back({s, std::make_shared<const std::vector<float>>(trainer.model().params)});
      if (s % every != 0 && s != settings.steps) continue;
      last = trainer.evaluate();
      if (curves_given || movie_given) record(last);
      for (attn::Detector d : last.detectors.reported) {
        const int i = static_cast<int>(d);
        if (formed_step[static_cast<std::size_t>(i)] < 0 && last.detectors.best(d).score >= 0.5f) {
          formed_step[static_cast<std::size_t>(i)] = s;
          formed_seconds[static_cast<std::size_t>(i)] = train_seconds;
        }
      }
      const double ms = 1e3 * window_seconds / static_cast<double>(s - window_start);
      std::printf("step=%d loss=%.4f acc=%.3f ms_per_step=%.2f%s\n", s, static_cast<double>(last.loss),
                  static_cast<double>(last.accuracy), ms, detector_columns(last).c_str());
      std::fflush(stdout);
      window_start = s;
      window_seconds = 0.0;
    }
    const long long done = trainer.steps_done();
    std::printf("# trained %lld steps in %.2f s (%.2f ms/step)", done, train_seconds,
                done ? 1e3 * train_seconds / static_cast<double>(done) : 0.0);
    if (done) std::printf(", held-out loss %.4f, accuracy %.3f", static_cast<double>(last.loss),
                          static_cast<double>(last.accuracy));
    std::printf("\n");
    for (attn::Detector d : last.detectors.reported) {
      const attn::HeadScore best = last.detectors.best(d);
      const std::size_t i = static_cast<std::size_t>(d);
      std::printf("# %s: best layer %d head %d (%.2f)", std::string(attn::to_string(d)).c_str(), best.layer + 1,
                  best.head + 1, static_cast<double>(best.score));
      if (formed_step[i] >= 0) std::printf(", first >= 0.5 at step %lld after %.2f s of training", formed_step[i],
                                           formed_seconds[i]);
      std::printf("\n");
    }
    // Each output on its own: one that fails (a full disk) is named, and the others are still written.
    int failed = 0;
    const auto write_output = [&](const std::function<void()>& write) {
      try {
        write();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "attnlab train: %s\n", e.what());
        ++failed;
      }
    };
    const attn::Checkpoint spec = trainer.checkpoint();
    if (save_given) write_output([&] {
      if (save_hf) {
        attn::save_hf_gpt2(spec.model, spec.vocab, save);
        std::printf("# saved %s (Hugging Face GPT-2: config.json, model.safetensors, vocab.json, merges.txt)\n",
                    save.c_str());
        return;
      }
      attn::save_checkpoint(spec, save);
      std::printf("# saved %s\n", save.c_str());
    });
    if (curves_given && !curve.empty()) write_output([&] {
      const TextShaper shaper;
      const Figure figure = layout_curves_figure(curve, spec.model.arch.n_layers, spec.model.arch.n_heads,
                                                 model_caption(spec), FigureOptions{}, shaper);
      attn::write_file_atomic(curves_path, encode_figure(figure, *format_from_path(curves_path), shaper));
      std::printf("# wrote %s\n", curves_path.c_str());
    });
    if (movie_given && !snapshots.empty()) write_output([&] {
      const std::string example = trainer.task().example();
      attn::write_file_atomic(movie_path, model_movie_gif(spec, snapshots, curve, example, FigureOptions{}));
      std::printf("# wrote %s (%zu snapshots)\n", movie_path.c_str(), snapshots.size());
    });
    if (failed) return 1;
    return stopped_early ? 1 : 0;
  });
}

}  // namespace app::cli
