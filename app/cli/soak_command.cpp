// `attnlab bench-soak`: long use without a window. Recomputes as the window does on every change
// (Explore: LiveModel; Train mode: TrainModelView running a checkpoint through model_run), with
// the text and heads changing every time, and prints the resident memory along the way: a leak
// or a cache that only grows shows up as RSS that keeps rising.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/lessons.hpp"
#include "core/live_model.hpp"
#include "core/process_memory.hpp"
#include "core/train_model_view.hpp"
#include "engine/model/checkpoint.hpp"

namespace app::cli {

namespace {

const char* const kSoakHelp =
    "Usage: attnlab bench-soak [--recomputes N] [--every K]\n\n"
    "Recomputes N times (default 100000) through the window's own paths, every input different:\n"
    "nine in ten in Explore mode (text typed and erased, heads 1-16, positions, tokenizer and seed\n"
    "changing) and one in ten in Train mode (the sentences lesson model on a changing example, heads\n"
    "knocked out and back). Prints the resident memory (RSS) at the start and every K recomputes\n"
    "(default N / 10), then its growth from the first of those lines to the end:\n"
    "  recomputes=10000 rss_kb=...\n"
    "  rss_growth_kb=... (target < 1024)\n";

const char* const kSentences[] = {
    "The animal didn't cross the street because it was too tired.",
    "Attention lets every token look at every other token at once.",
    "東京タワーは高い 🙂 and the naïve café's crème brûlée",
    "the cat sat on the mat because it was warm, and then it slept",
};

const char* const kExamples[] = {
    "the dog didn't cross the road because it was too tired . it =",
    "the cat didn't cross the street because it was too wide . it =",
    "the bird didn't cross the river because it was too scared . it =",
};

double kb(std::size_t bytes) { return static_cast<double>(bytes) / 1024.0; }

// The i-th Explore input: a sentence typed one byte at a time and erased again (1..L, then L-1..2,
// so no two neighbours are equal), the head count stepping through the divisors of d_model, and
// now and then the positions, the tokenizer and the seed (new weights).
ModelInput explore_input(long long i) {
  ModelInput input;
  const std::string sentence = kSentences[(i / 200) % 4];
  const long long length = static_cast<long long>(sentence.size());
  const long long at = i % (2 * length - 2);
  const std::size_t typed = static_cast<std::size_t>(at < length ? at + 1 : 2 * length - 1 - at);
  input.text = sentence.substr(0, typed);
  const int heads[] = {1, 2, 4, 8, 16};
  input.config.d_model = 64;
  input.config.n_heads = heads[(i / 7) % 5];
  const attn::Positional positions[] = {attn::Positional::Sinusoidal, attn::Positional::Rope, attn::Positional::Learned,
                                        attn::Positional::None};
  input.config.positional = positions[(i / 1000) % 4];
  input.config.causal = (i / 3) % 2 == 1;
  input.tokenizer = (i / 5000) % 2 == 0 ? attn::TokenizerMode::Word : attn::TokenizerMode::Char;
  input.config.seed = static_cast<std::uint64_t>(42 + (i / 2000));
  return input;
}

}  // namespace

int run_bench_soak(const std::vector<std::string>& argv) {
  return guarded("bench-soak", [&]() -> int {
    long long total = 100000, every = 0;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::fputs(kSoakHelp, stdout);
        return 0;
      }
      if (flag == "--recomputes")
        total = args.int_value(flag, 10, 100000000);
      else if (flag == "--every")
        every = args.int_value(flag, 1, 100000000);
      else
        throw UsageError("unknown flag '" + flag + "'");
    }
    if (every == 0) every = total / 10;

    const std::size_t rss_start = resident_bytes();
    // Train mode's view of the sentences lesson: the model as the trainer publishes it.
    auto progress = std::make_shared<TrainProgress>();
    progress->model = std::make_shared<const attn::Checkpoint>(attn::load_checkpoint(lesson_path("sentences")));
    progress->params = std::make_shared<const std::vector<float>>(progress->model->model.params);
    progress->model_generation = 1;
    const attn::Arch& arch = progress->model->model.arch;
    TrainState train;
    train.knocked_out.assign(static_cast<std::size_t>(arch.n_layers * arch.n_heads), 0);
    train.n_heads = arch.n_heads;

    LiveModel live;
    TrainModelView view;
    std::printf(
        "# bench-soak: %lld recomputes through the window's paths (9 in 10 Explore: LiveModel, d_model 64, "
        "text typed and erased, heads 1-16; 1 in 10 Train: TrainModelView on the sentences lesson)\n",
        total);
    std::printf("rss_kb start=%.0f\n", kb(rss_start));
    std::fflush(stdout);
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t rss_first = 0, rss_last = 0;
    long long explore_steps = 0, train_steps = 0, refused = 0;
    for (long long done = 1; done <= total; ++done) {
      bool changed = false;
      if (done % 10 == 0) {
        // A changing example (a few words more each time) and a head knocked out and back.
        const std::string example = kExamples[(train_steps / 40) % 3];
        std::size_t words = 2 + static_cast<std::size_t>(train_steps % 13), cut = 0;
        while (words-- > 0 && cut != std::string::npos) cut = example.find(' ', cut + 1);
        train.example = example.substr(0, cut);
        const std::size_t head = static_cast<std::size_t>(train_steps) % train.knocked_out.size();
        train.knocked_out[head] = train.knocked_out[head] ? 0 : 1;
        changed = view.update(*progress, train);
        ++train_steps;
      } else {
        changed = live.update(explore_input(explore_steps));
        ++explore_steps;
      }
      if (!changed) ++refused;  // an input the model refused: the error path, kept as in the window
      if (done % every == 0) {
        rss_last = resident_bytes();
        if (rss_first == 0) rss_first = rss_last;
        std::printf("recomputes=%lld rss_kb=%.0f\n", done, kb(rss_last));
        std::fflush(stdout);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double growth = rss_first ? kb(rss_last) - kb(rss_first) : 0.0;
    std::printf("explore=%lld train=%lld refused=%lld seconds=%.1f us_per_recompute=%.1f\n", explore_steps, train_steps,
                refused, seconds, seconds * 1e6 / static_cast<double>(total));
    std::printf("rss_growth_kb=%.0f from recompute %lld to %lld (target < 1024: %s)\n", growth, every,
                total - total % every, growth < 1024.0 ? "met" : "NOT met");
    return 0;
  });
}

}  // namespace app::cli
