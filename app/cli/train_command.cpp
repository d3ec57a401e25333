// `attnlab train`: train a tiny transformer on a task, print progress, save a checkpoint.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/bench_stats.hpp"
#include "cli/commands.hpp"
#include "core/data_dir.hpp"
#include "core/model_run.hpp"
#include "core/output_dir.hpp"
#include "core/process_memory.hpp"
#include "core/train_memory.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/rng.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/train/text_task.hpp"
#include "engine/train/trainer.hpp"
#include "export/figure_render.hpp"
#include "export/model_figures.hpp"

namespace app::cli {

namespace {

const char* const kTrainHelp =
    "Usage: attnlab train --task T [model flags] [training flags] [--save CKPT.npz]\n"
    "       attnlab train --task text [--corpus FILE...] [--tokenizer BPE | --vocab N] [flags]\n\n"
    "Trains a tiny transformer on a task and prints one line every --every steps:\n"
    "  step=100 loss=1.234 acc=0.512 ms_per_step=3.21 previous-token=0.91@L1H2 induction=0.62@L2H3\n"
    "(loss and accuracy on a held-out batch; each detector's best head, layers and heads from 1).\n\n"
    "  --task T             induction | reverse | sort | sentences | text\n"
    "  --layers L           blocks, 1-12 (default 2)\n"
    "  --heads H            heads per block, 1-32 (default 4)\n"
    "  --d-model D          8-1024 (default 64)\n"
    "  --d-head K           width of each head (default d_model / heads)\n"
    "  --mlp | --no-mlp     with or without the MLP after attention (default: without)\n"
    "  --mlp-width N        the MLP's hidden width, 1 to 4096 (default 4 * d_model; implies --mlp)\n"
    "  --gelu G             exact | tanh: the MLP's GELU, PyTorch's exact one or GPT-2's tanh\n"
    "                       approximation (default exact)\n"
    "  --tied-embeddings    the unembedding is the token embedding (GPT-2); default: its own\n"
    "  --positional P       none | sinusoidal | learned | rope (default learned)\n"
    "  --bidirectional      no causal mask (default: causal)\n"
    "  --temperature T      scores divided by sqrt(d_head) * T, 1e-6 to 1e6 (default 1)\n"
    "  --steps S            updates (default 600)\n"
    "  --batch B            sequences per step (default 32)\n"
    "  --seq-len N          tokens per sequence, 2-1024 (default: the task's: induction 32,\n"
    "                       reverse/sort 24, sentences 20, text 128)\n"
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
    "The text task (next-token prediction on English or any UTF-8 text):\n"
    "  --corpus FILE        a training text file; repeat for several (default: the English corpus,\n"
    "                       <data>/corpus/english/english-train.txt, built by bash bootstrap.sh corpus)\n"
    "  --heldout FILE       held-out text; repeat for several (default with the English corpus: its\n"
    "                       english-heldout.txt; with --corpus: the last 2%% of each file)\n"
    "  --tokenizer BPE      gpt2, a BPE.json (attnlab tokenizer train) or a folder with vocab.json +\n"
    "                       merges.txt\n"
    "  --vocab N            train a BPE of N tokens (257-65536) on the training text first (default\n"
    "                       4096 when no --tokenizer is given)\n"
    "  --repeat-fraction F  share of training sequences that are a span of text twice, 0 to 1\n"
    "                       (default 0): induction heads form sooner\n"
    "Files are read at random places, never whole, so a corpus larger than memory trains too. The\n"
    "held-out loss is also printed in bits per byte (bpb=), beside unigram and bigram baselines on\n"
    "the same held-out positions; a quarter of the held-out sequences are a span of held-out text\n"
    "twice, which score induction heads (and count in no loss). At the end: copying= the share of\n"
    "a repeated 20-word list's second half the model predicts right.\n\n"
    "Real numbers are plain decimals or exponents (0.003, 3e-3); spaces, '+', hex, inf and nan are\n"
    "refused. Every output is checked before the first step: a --save name must end in .npz, and a\n"
    "missing folder, a folder, a device or a FIFO in place of a file is refused. A run that needs more\n"
    "memory than the machine has available, or than the 8 GiB any run may use, is refused with both\n"
    "numbers before it starts.\n\n"
    "Exit codes: 0 trained, 1 diverged or ran out of memory part-way (the last good parameters are\n"
    "kept and saved), an output could not be written (the others are) or a corpus or tokenizer file\n"
    "cannot be read (empty, binary, not UTF-8, a folder or FIFO), 2 bad arguments or not enough\n"
    "memory to start.\n";

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

// The text task's corpus and tokenizer from the flags: the English corpus from the data folder
// unless --corpus is given; a BPE from --tokenizer, else one of --vocab tokens (4096 by default)
// trained on the training files.
std::unique_ptr<attn::TextTask> make_text_task(std::vector<std::string> corpus, std::vector<std::string> heldout,
                                               const std::string& tokenizer_spec, int bpe_vocab,
                                               double repeat_fraction) {
  if (corpus.empty()) {
    const std::string dir = app::data_dir().path + "/corpus/english";
    corpus = {dir + "/english-train.txt"};
    if (heldout.empty()) heldout = {dir + "/english-heldout.txt"};
    std::error_code ec;
    for (const std::string& f : {corpus[0], heldout[0]})
      if (!std::filesystem::exists(f, ec))
        throw attn::FileError("the English corpus is not built (" + f +
                              " is missing): run bash bootstrap.sh corpus "
                              "(it installs sword-text-web, diatheke, r-cran-janeaustenr, fortunes and wordnet-base "
                              "and runs assets/corpus/build_corpus.py), or give --corpus FILE");
  }
  // Every file is checked before a BPE is trained on it (train_bpe reads them whole).
  for (const std::string& f : corpus) attn::check_text_file(f);
  for (const std::string& f : heldout) attn::check_text_file(f);
  attn::Bpe bpe = [&] {
    if (tokenizer_spec == "gpt2") return attn::load_bpe(app::data_dir().path + "/tokenizers/gpt2");
    if (!tokenizer_spec.empty()) return attn::load_bpe(tokenizer_spec);
    const int n = bpe_vocab ? bpe_vocab : 4096;
    const auto t0 = std::chrono::steady_clock::now();
    attn::PieceCounts counts;
    for (const std::string& f : corpus) counts.add_file(f);
    attn::BpeTrainResult trained = attn::train_bpe(counts, static_cast<std::size_t>(n));
    std::printf("# trained a BPE of %zu tokens on %s of training text in %.1f s\n", trained.bpe.vocab_size(),
                attn::bytes_text(counts.bytes()).c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return std::move(trained.bpe);
  }();
  if (bpe.vocab_size() > static_cast<std::size_t>(attn::kMaxVocab))
    throw UsageError("the tokenizer has " + std::to_string(bpe.vocab_size()) +
                     " tokens; a trained model takes at most " + std::to_string(attn::kMaxVocab));
  attn::TextTaskOptions options;
  options.train_files = corpus;
  options.heldout_files = heldout;
  options.repeat_fraction = repeat_fraction;
  return std::make_unique<attn::TextTask>(std::move(bpe), options);
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
    int d_head = 0, seq_len = 0, every = 50, bpe_vocab = 0;
    std::vector<std::string> corpus, heldout;
    std::string tokenizer_spec;
    double repeat_fraction = 0.0;
    bool repeat_given = false;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::fputs(kTrainHelp, stdout);
        return 0;
      }
      if (flag == "--task")
        task_name = args.value(flag);
      else if (flag == "--layers")
        arch.n_layers = args.int_value(flag, 1, attn::kMaxLayers);
      else if (flag == "--heads")
        arch.n_heads = args.int_value(flag, 1, attn::kMaxTrainHeads);
      else if (flag == "--d-model")
        arch.d_model = args.int_value(flag, attn::kMinTrainDModel, attn::kMaxTrainDModel);
      else if (flag == "--d-head")
        d_head = args.int_value(flag, 1, attn::kMaxTrainDHead);
      else if (flag == "--mlp")
        arch.mlp = true;
      else if (flag == "--no-mlp")
        arch.mlp = false;
      else if (flag == "--mlp-width") {
        arch.d_mlp = args.int_value(flag, 1, 4 * attn::kMaxTrainDModel);
        arch.mlp = true;
      } else if (flag == "--gelu") {
        const std::string g = args.value(flag);
        if (g != "exact" && g != "tanh") throw UsageError("--gelu must be exact or tanh, got '" + g + "'");
        arch.gelu = g == "tanh" ? attn::Gelu::Tanh : attn::Gelu::Exact;
      } else if (flag == "--tied-embeddings")
        arch.tied_embeddings = true;
      else if (flag == "--corpus")
        corpus.push_back(args.value(flag));
      else if (flag == "--heldout")
        heldout.push_back(args.value(flag));
      else if (flag == "--tokenizer")
        tokenizer_spec = args.value(flag);
      else if (flag == "--vocab")
        bpe_vocab = args.int_value(flag, 257, attn::kMaxVocab);
      else if (flag == "--repeat-fraction") {
        repeat_fraction = args.float_value(flag, 0.0, 1.0);
        repeat_given = true;
      } else if (flag == "--bidirectional")
        run.causal = false;
      else if (flag == "--causal")
        run.causal = true;
      else if (flag == "--temperature")
        run.temperature = args.float_value(flag, static_cast<double>(attn::kMinTemperature),
                                           static_cast<double>(attn::kMaxTemperature));
      else if (flag == "--positional") {
        const std::string p = args.value(flag);
        const auto parsed = attn::parse_positional(p);
        if (!parsed) throw UsageError("--positional must be none, sinusoidal, learned or rope, got '" + p + "'");
        run.positional = *parsed;
      } else if (flag == "--steps")
        settings.steps = args.int_value(flag, 1, 10000000);
      else if (flag == "--batch")
        settings.batch = args.int_value(flag, 1, 1024);
      else if (flag == "--seq-len")
        seq_len = args.int_value(flag, 2, attn::kMaxSeqLen);
      else if (flag == "--lr")
        settings.lr = args.float_value(flag, kMinLearningRate, 1.0);
      else if (flag == "--warmup")
        settings.warmup_steps = args.int_value(flag, 0, 1000000);
      else if (flag == "--weight-decay")
        settings.weight_decay = args.float_value(flag, 0.0, kMaxWeightDecay);
      else if (flag == "--seed")
        settings.seed = args.u64_value(flag);
      else if (flag == "--every")
        every = args.int_value(flag, 1, 10000000);
      else if (flag == "--save") {
        save = args.value(flag);
        save_given = true;
      } else if (flag == "--curves") {
        curves_path = args.value(flag);
        curves_given = true;
      } else if (flag == "--movie") {
        movie_path = args.value(flag);
        movie_given = true;
      } else
        throw UsageError("unknown flag '" + flag + "'");
    }
    if (task_name.empty()) throw UsageError("--task is required (induction, reverse, sort, sentences or text)");
    const bool text = task_name == "text";
    if (!text && (!corpus.empty() || !heldout.empty() || !tokenizer_spec.empty() || bpe_vocab || repeat_given))
      throw UsageError("--corpus, --heldout, --tokenizer, --vocab and --repeat-fraction are for --task text");
    if (!tokenizer_spec.empty() && bpe_vocab)
      throw UsageError("give --tokenizer or --vocab, not both (--vocab trains a new BPE)");
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
        throw UsageError("--save needs a file name ending in .npz (a checkpoint is a .npz archive), got '" + save +
                         "'");
      check_output("--save", save);
    }
    if (curves_given) {
      const auto f = format_from_path(curves_path);
      if (!f || !is_figure_format(*f))
        throw UsageError("--curves needs a .png, .svg or .pdf file name, got '" + curves_path + "'");
      check_output("--curves", curves_path);
    }
    if (movie_given) {
      if (movie_path.size() < 4 || movie_path.compare(movie_path.size() - 4, 4, ".gif") != 0)
        throw UsageError("--movie needs a .gif file name, got '" + movie_path + "'");
      check_output("--movie", movie_path);
    }
    std::unique_ptr<attn::Task> task;
    const attn::TextTask* text_task = nullptr;
    if (text) {
      auto made = make_text_task(corpus, heldout, tokenizer_spec, bpe_vocab, repeat_fraction);
      text_task = made.get();
      task = std::move(made);
    } else {
      task = attn::make_task(task_name);
    }
    if (!task) throw UsageError("unknown task '" + task_name + "' (induction, reverse, sort, sentences or text)");
    if (text_task && save_given && !save_hf && !text_task->tokenizer()->is_trained_format())
      throw UsageError("--save " + save +
                       ": a checkpoint carries only a BPE trained by attnlab (--vocab N or a "
                       "BPE.json), not GPT-2's; save to a Hugging Face folder (--save DIR/) instead");
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
    std::printf(
        "# task=%s layers=%d heads=%d d_model=%d d_head=%d mlp=%d positional=%s %s vocab=%d batch=%d "
        "seq=%d lr=%g steps=%d seed=%llu params=%zu\n",
        task_name.c_str(), m.arch.n_layers, m.arch.n_heads, m.arch.d_model, m.arch.d_head, m.arch.mlp ? 1 : 0,
        std::string(attn::to_string(m.run.positional)).c_str(), m.run.causal ? "causal" : "bidirectional",
        m.arch.vocab_size, settings.batch, settings.seq_len, static_cast<double>(settings.lr), settings.steps,
        static_cast<unsigned long long>(settings.seed), m.layout.total);
    std::fputs(memory_line.c_str(), stdout);
    if (m.arch.mlp)
      std::printf("# mlp width %d, gelu %s, %s embeddings\n", m.arch.mlp_dim(), attn::to_string(m.arch.gelu),
                  m.arch.tied_embeddings ? "tied" : "separate");
    attn::TextTask::Baselines baselines;
    if (text_task) {
      std::printf("# corpus: %s training, %s held out; repeated spans in %g%% of training sequences\n",
                  attn::bytes_text(text_task->train_bytes()).c_str(),
                  attn::bytes_text(text_task->heldout_bytes()).c_str(), 100.0 * text_task->repeat_fraction());
      baselines = text_task->baselines(trainer.eval_sequences());
      std::printf(
          "# held-out baselines (bits per byte): unigram %.3f, bigram %.3f (weight %.2f on pair counts; "
          "counted on %llu training tokens)\n",
          baselines.unigram_bpb, baselines.bigram_bpb, baselines.bigram_weight,
          static_cast<unsigned long long>(baselines.counted_tokens));
      std::fflush(stdout);
    }

    using clock = std::chrono::steady_clock;
    double train_seconds = 0.0;
    std::vector<long long> formed_step(attn::kDetectorCount, -1), formed_step_04(attn::kDetectorCount, -1);
    std::vector<double> formed_seconds(attn::kDetectorCount, 0.0), formed_seconds_04(attn::kDetectorCount, 0.0);
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
                     s, attn::bytes_text(need_total).c_str(),
                     now ? attn::bytes_text(*now).c_str() : "an unknown amount", trainer.steps_done());
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
        const std::size_t i = static_cast<std::size_t>(d);
        const float best = last.detectors.best(d).score;
        if (formed_step[i] < 0 && best >= 0.5f) {
          formed_step[i] = s;
          formed_seconds[i] = train_seconds;
        }
        if (formed_step_04[i] < 0 && best >= 0.4f) {
          formed_step_04[i] = s;
          formed_seconds_04[i] = train_seconds;
        }
      }
      const double ms = 1e3 * window_seconds / static_cast<double>(s - window_start);
      char bpb[32] = "";
      if (text_task) std::snprintf(bpb, sizeof bpb, " bpb=%.3f", last.bits_per_byte);
      std::printf("step=%d loss=%.4f%s acc=%.3f ms_per_step=%.2f%s\n", s, static_cast<double>(last.loss), bpb,
                  static_cast<double>(last.accuracy), ms, detector_columns(last).c_str());
      std::fflush(stdout);
      window_start = s;
      window_seconds = 0.0;
    }
    const long long done = trainer.steps_done();
    std::printf("# trained %lld steps in %.2f s (%.2f ms/step)", done, train_seconds,
                done ? 1e3 * train_seconds / static_cast<double>(done) : 0.0);
    if (done)
      std::printf(", held-out loss %.4f, accuracy %.3f", static_cast<double>(last.loss),
                  static_cast<double>(last.accuracy));
    std::printf("\n");
    if (text_task && done) {
      std::printf("# held-out bits per byte %.3f: %.2f x the bigram's %.3f, %.2f x the unigram's %.3f\n",
                  last.bits_per_byte, last.bits_per_byte / baselines.bigram_bpb, baselines.bigram_bpb,
                  last.bits_per_byte / baselines.unigram_bpb, baselines.unigram_bpb);
      std::printf("# copying: %.2f of a repeated 20-word list's second half predicted right\n",
                  attn::repeated_list_copying(trainer.model(), *text_task->tokenizer(), 20, settings.seed));
    }
    for (attn::Detector d : last.detectors.reported) {
      const attn::HeadScore best = last.detectors.best(d);
      const std::size_t i = static_cast<std::size_t>(d);
      std::printf("# %s: best layer %d head %d (%.2f)", std::string(attn::to_string(d)).c_str(), best.layer + 1,
                  best.head + 1, static_cast<double>(best.score));
      if (formed_step_04[i] >= 0 && formed_step_04[i] != formed_step[i])
        std::printf(", first >= 0.4 at step %lld after %.2f s of training", formed_step_04[i], formed_seconds_04[i]);
      if (formed_step[i] >= 0)
        std::printf(", first >= 0.5 at step %lld after %.2f s of training", formed_step[i], formed_seconds[i]);
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
    if (save_given)
      write_output([&] {
        if (save_hf) {
          // A text model carries its BPE as GPT-2 does (vocab.json + merges.txt), so the folder
          // tokenizes text as training did.
          if (text_task)
            attn::save_hf_gpt2(spec.model, *text_task->tokenizer(), save);
          else
            attn::save_hf_gpt2(spec.model, spec.vocab, save);
          std::printf("# saved %s (Hugging Face GPT-2: config.json, model.safetensors, vocab.json, merges.txt)\n",
                      save.c_str());
          return;
        }
        attn::save_checkpoint(spec, save);
        std::printf("# saved %s\n", save.c_str());
      });
    if (curves_given && !curve.empty())
      write_output([&] {
        const TextShaper shaper;
        const Figure figure = layout_curves_figure(curve, spec.model.arch.n_layers, spec.model.arch.n_heads,
                                                   model_caption(spec), FigureOptions{}, shaper);
        attn::write_file_atomic(curves_path, encode_figure(figure, *format_from_path(curves_path), shaper));
        std::printf("# wrote %s\n", curves_path.c_str());
      });
    if (movie_given && !snapshots.empty())
      write_output([&] {
        const std::string example = trainer.task().example();
        attn::write_file_atomic(movie_path, model_movie_gif(spec, snapshots, curve, example, FigureOptions{}));
        std::printf("# wrote %s (%zu snapshots)\n", movie_path.c_str(), snapshots.size());
      });
    if (failed) return 1;
    return stopped_early ? 1 : 0;
  });
}

}  // namespace app::cli
