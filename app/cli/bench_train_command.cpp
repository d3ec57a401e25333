// `attnlab bench-train`: times whole training steps on one thread, one line per model, in the
// format tests/bench_train_torch.py (the PyTorch peer) prints, so tests/bench_train.sh can put
// the two side by side in one run.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/bench_stats.hpp"
#include "cli/commands.hpp"
#include "engine/nn/simd.hpp"
#include "engine/rng.hpp"
#include "engine/train/trainer.hpp"

namespace app::cli {

namespace {

const char* const kBenchTrainHelp =
    "Usage: attnlab bench-train [--config grid|toy|english|LIST] [--steps N]\n\n"
    "Times whole training steps (forward, loss, backward, clip, AdamW) on one thread, on random\n"
    "token batches with next-token targets made before the clock starts; causal, learned\n"
    "positions; one line per model:\n"
    "  layers=2 d_model=64 heads=4 d_head=16 mlp=0 gelu=exact tied=0 vocab=64 batch=32 seq=32 "
    "ms_per_step=... tokens_per_s=...\n"
    "  --config C   grid: ten sizes, vocabulary 64, batch 32 x 32, exact GELU (default)\n"
    "               toy: the reference step, 2 layers, 4 heads, d_model 64, attention-only,\n"
    "                    batch 32 x 32, vocabulary 64\n"
    "               english: the English lesson model's shape, 2 layers, 4 heads of 32, d_model 128,\n"
    "                    MLP 512 with tanh GELU, tied embeddings, vocabulary 4096, batch 16 x 128\n"
    "               or a comma-separated list of these (toy,english)\n"
    "  --steps N    timed steps per model (default: adaptive, at least 10, about 1 s)\n\n"
    "tests/bench_train_torch.py takes the same --config and prints the same lines for PyTorch;\n"
    "tests/bench_train.sh runs both and prints the speed-up.\n";

struct BenchModel {
  int layers, d_model, heads, d_head;
  int d_mlp;  // 0: attention-only blocks
  attn::Gelu gelu;
  bool tied;
  int vocab, batch, seq;
};

// The grid of tests/bench_train_torch.py: (layers, d_model, heads, mlp), d_head = d_model / heads,
// MLP 4 * d_model with the exact GELU, vocabulary 64, batch 32 x 32. The third row is `toy`.
std::vector<BenchModel> grid_models() {
  const int sizes[][4] = {{1, 32, 1, 0},  {1, 32, 2, 1},  {2, 64, 4, 0}, {2, 64, 4, 1},   {3, 128, 4, 1},
                          {2, 128, 8, 0}, {2, 128, 8, 1}, {4, 64, 4, 1}, {2, 256, 16, 0}, {4, 256, 16, 1}};
  std::vector<BenchModel> models;
  for (const auto& s : sizes)
    models.push_back({s[0], s[1], s[2], s[1] / s[2], s[3] ? 4 * s[1] : 0, attn::Gelu::Exact, false, 64, 32, 32});
  return models;
}

const BenchModel kToy{2, 64, 4, 16, 0, attn::Gelu::Exact, false, 64, 32, 32};
// The English lesson model (issue 21): GPT-2's switches at a teaching size.
const BenchModel kEnglish{2, 128, 4, 32, 512, attn::Gelu::Tanh, true, 4096, 16, 128};

std::vector<BenchModel> parse_configs(const std::string& text) {
  std::vector<BenchModel> models;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, comma - start);
    if (name == "grid") {
      const std::vector<BenchModel> grid = grid_models();
      models.insert(models.end(), grid.begin(), grid.end());
    } else if (name == "toy") {
      models.push_back(kToy);
    } else if (name == "english") {
      models.push_back(kEnglish);
    } else {
      throw UsageError("--config: '" + name + "' is not grid, toy or english");
    }
    start = comma + 1;
  }
  return models;
}

// Random tokens over a vocabulary of a given size: the bench's batches are made by hand and given
// to step_on(), so this task only sizes the model (a task's vocabulary is the model's).
class RandomTokensTask final : public attn::Task {
 public:
  explicit RandomTokensTask(int vocab) : Task(words(vocab)) {}
  std::string_view name() const override { return "random-tokens"; }
  std::string_view counts() const override { return "every next token"; }
  int default_seq_len() const override { return 32; }
  std::string example() const override { return "t0 t1 t2"; }
  std::vector<attn::Detector> detectors() const override { return {attn::Detector::PreviousToken}; }
  int min_seq_len() const override { return 2; }

 private:
  static std::vector<std::string> words(int vocab) {
    std::vector<std::string> w{"<pad>", "<unk>"};
    for (int i = 2; i < vocab; ++i) w.push_back("t" + std::to_string(i));
    return w;
  }
  void generate(std::uint64_t& rng, int max_len, bool, attn::Sequence& s) const override {
    for (int i = 0; i < max_len; ++i)
      s.ids.push_back(
          static_cast<std::int32_t>(attn::detail::splitmix64(rng) % static_cast<std::uint64_t>(vocab().size())));
    s.targets.assign(s.ids.begin() + 1, s.ids.end());
    s.targets.push_back(-1);
  }
};

void bench_one(const BenchModel& b, int steps) {
  using clock = std::chrono::steady_clock;
  attn::Arch arch;
  arch.n_layers = b.layers;
  arch.d_model = b.d_model;
  arch.n_heads = b.heads;
  arch.d_head = b.d_head;
  arch.mlp = b.d_mlp > 0;
  arch.d_mlp = b.d_mlp;
  arch.gelu = b.gelu;
  arch.tied_embeddings = b.tied;
  attn::TrainSettings settings;
  settings.lr = 1e-3f;
  settings.batch = b.batch;
  settings.seq_len = b.seq;
  attn::Trainer trainer(arch, attn::RunOptions{}, settings, std::make_unique<RandomTokensTask>(b.vocab));
  const std::size_t n = static_cast<std::size_t>(b.batch) * static_cast<std::size_t>(b.seq);
  std::vector<std::int32_t> ids(n), targets(n);
  std::uint64_t rng = 99;
  // Random tokens with next-token targets, none after a sequence's last token, as the peer's.
  const auto fresh_batch = [&] {
    for (auto& id : ids)
      id = static_cast<std::int32_t>(attn::detail::splitmix64(rng) % static_cast<std::uint64_t>(b.vocab));
    for (std::size_t i = 0; i < n; ++i) targets[i] = (i + 1) % static_cast<std::size_t>(b.seq) == 0 ? -1 : ids[i + 1];
  };
  for (int warm = 0; warm < 3; ++warm) {
    fresh_batch();
    trainer.step_on(ids.data(), targets.data());
  }
  std::vector<double> times_ms;
  const auto budget_end = clock::now() + std::chrono::milliseconds(1000);
  while (steps > 0 ? static_cast<int>(times_ms.size()) < steps : (times_ms.size() < 10 || clock::now() < budget_end)) {
    fresh_batch();
    const auto t0 = clock::now();
    trainer.step_on(ids.data(), targets.data());
    times_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  }
  const double ms = median(times_ms);
  std::printf(
      "layers=%d d_model=%d heads=%d d_head=%d mlp=%d gelu=%s tied=%d vocab=%d batch=%d seq=%d "
      "ms_per_step=%.2f tokens_per_s=%.0f\n",
      b.layers, b.d_model, b.heads, b.d_head, b.d_mlp, attn::to_string(b.gelu), b.tied ? 1 : 0, b.vocab, b.batch, b.seq,
      ms, static_cast<double>(n) / (ms * 1e-3));
  std::fflush(stdout);
}

}  // namespace

int run_bench_train(const std::vector<std::string>& argv) {
  return guarded("bench-train", [&]() -> int {
    int steps = 0;
    std::vector<BenchModel> models = grid_models();
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::fputs(kBenchTrainHelp, stdout);
        return 0;
      }
      if (flag == "--steps")
        steps = args.int_value(flag, 1, 100000);
      else if (flag == "--config")
        models = parse_configs(args.value(flag));
      else
        throw UsageError("unknown flag '" + flag + "'");
    }
    // The peer runs PyTorch on one thread; OpenBLAS gets one too.
    openblas_set_num_threads(1);
    std::printf(
        "# attnlab training step (forward, loss, backward, clip, AdamW), 1 thread, float32, median; "
        "float kernels: %s\n",
        attn::simd_level_name(attn::cpu_simd_level()));
    for (const BenchModel& b : models) bench_one(b, steps);
    return 0;
  });
}

}  // namespace app::cli
