// `attnlab bench`: times the explorer's forward over a grid of sizes, one line per configuration, in the
// same format as tests/bench_torch.py so the two can be compared line by line.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/bench_stats.hpp"
#include "cli/commands.hpp"
#include "core/hf_run.hpp"
#include "core/process_memory.hpp"
#include "engine/attention.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/weights.hpp"

namespace app::cli {

namespace {

const char* const kBenchHelp =
    "Usage: attnlab bench [--n LIST] [--d-model LIST] [--heads LIST] [--reps R]\n\n"
    "Times the explorer's forward (attn::model_forward_stream on attn::explorer_model, all\n"
    "intermediates kept, one set of activations reused) on one thread and prints:\n"
    "  n=128 d_model=512 heads=8 median_us=... gflops=...\n"
    "  --n LIST        token counts (default 8,32,128,512)\n"
    "  --d-model LIST  model widths (default 64,256,512)\n"
    "  --heads LIST    head counts (default 1,4,8,16); sizes heads do not divide are skipped\n"
    "  --reps R        timed repetitions per configuration (default: adaptive, at least 10, about 1 s)\n\n"
    "Usage: attnlab bench --model MODEL [--n LIST] [--reps R]\n\n"
    "Loads MODEL (a Hugging Face GPT-2 folder or an attnlab checkpoint) and times its whole forward\n"
    "(every layer's intermediates kept, as the window does) on one thread over an n-token sentence\n"
    "of ids (i * 7919) mod vocab, as tests/gpt2_twin.py bench does; prints the load time, the median\n"
    "forward time, the resident memory after loading and at its peak, and the float32 weights' size.\n"
    "  --n LIST        token counts (default 32)\n";

// Times one loaded model (see the help above).
void bench_model(const std::string& path, const std::vector<int>& ns, int reps) {
  using clock = std::chrono::steady_clock;
  openblas_set_num_threads(1);
  const auto t0 = clock::now();
  attn::Model model;
  std::string name;
  if (attn::is_hf_folder(path)) {
    attn::HfGpt2 hf = attn::load_hf_gpt2(path);
    name = hf_caption(hf);
    model = std::move(hf.model);
  } else {
    attn::Checkpoint ck = attn::load_checkpoint(path);
    name = model_caption(ck);
    model = std::move(ck.model);
  }
  const double load_s = std::chrono::duration<double>(clock::now() - t0).count();
  const double mib = 1024.0 * 1024.0;
  const double rss_mb = static_cast<double>(resident_bytes()) / mib;
  std::printf("# %s\n# %zu parameters, %.1f MiB as float32; 1 thread\n", name.c_str(), model.params.size(),
              static_cast<double>(model.params.size() * sizeof(float)) / mib);
  std::printf("load_s=%.3f rss_after_load_mb=%.1f\n", load_s, rss_mb);
  attn::Activations acts;
  for (const int n : ns) {
    if (n > model.arch.max_seq_len)
      throw UsageError("--n " + std::to_string(n) + " is longer than the model's " +
                       std::to_string(model.arch.max_seq_len) + " positions");
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
      ids[static_cast<std::size_t>(i)] =
          static_cast<std::int32_t>((static_cast<long long>(i) * 7919) % model.arch.vocab_size);
    for (int warm = 0; warm < 2; ++warm) attn::model_forward(model, ids.data(), 1, n, acts);
    std::vector<double> times_ms;
    const auto budget_end = clock::now() + std::chrono::milliseconds(3000);
    while (reps > 0 ? static_cast<int>(times_ms.size()) < reps
                    : (times_ms.size() < 10 || (clock::now() < budget_end && times_ms.size() < 200))) {
      const auto a = clock::now();
      attn::model_forward(model, ids.data(), 1, n, acts);
      times_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - a).count());
    }
    std::printf("n=%d median_ms=%.2f reps=%zu peak_rss_mb=%.1f\n", n, median(times_ms), times_ms.size(),
                static_cast<double>(peak_resident_bytes()) / mib);
    std::fflush(stdout);
  }
}

}  // namespace

int run_bench(const std::vector<std::string>& argv) {
  return guarded("bench", [&] {
    std::vector<int> ns{8, 32, 128, 512}, d_models{64, 256, 512}, heads{1, 4, 8, 16};
    int reps = 0;  // 0: adaptive
    std::string model_path;
    bool n_given = false;
    ArgCursor args(argv);
    while (!args.done()) {
      const std::string flag = args.next_flag();
      if (flag == "--help" || flag == "-h") {
        std::fputs(kBenchHelp, stdout);
        return 0;
      }
      if (flag == "--n")
        ns = parse_int_list(flag, args.value(flag), 1, 8192), n_given = true;
      else if (flag == "--model")
        model_path = args.value(flag);
      else if (flag == "--d-model")
        d_models = parse_int_list(flag, args.value(flag), 1, attn::kMaxDModel);
      else if (flag == "--heads")
        heads = parse_int_list(flag, args.value(flag), 1, attn::kMaxHeads);
      else if (flag == "--reps")
        reps = args.int_value(flag, 1, 1000000);
      else
        throw UsageError("unknown flag '" + flag + "'");
    }

    if (!model_path.empty()) {
      bench_model(model_path, n_given ? ns : std::vector<int>{32}, reps);
      return 0;
    }
    bool any = false;
    for (const int d_model : d_models)
      for (const int h : heads) any |= d_model % h == 0;
    if (!any) throw UsageError("no size to time: no --d-model is divisible by any --heads");
    // The peer (PyTorch nn.MultiheadAttention) is measured on one thread; so are we.
    openblas_set_num_threads(1);
    std::printf("# attn::model_forward_stream(explorer_model), 1 thread, float32, median over repetitions\n");
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    using clock = std::chrono::steady_clock;
    for (const int n : ns)
      for (const int d_model : d_models)
        for (const int h : heads) {
          if (d_model % h != 0) continue;
          attn::ModelConfig config;
          config.d_model = d_model;
          config.n_heads = h;
          config.positional = attn::Positional::None;
          const attn::Model model = attn::explorer_model(config, attn::init_weights(config));
          xt::xtensor<float, 2> x =
              xt::xtensor<float, 2>::from_shape({static_cast<std::size_t>(n), static_cast<std::size_t>(d_model)});
          for (float& value : x) value = normal(rng);

          // One set of activations is reused across calls: on a virtual machine the page faults of
          // fresh 16 MB score buffers would cost more than the arithmetic.
          attn::Activations acts;
          for (int warm = 0; warm < 2; ++warm) attn::model_forward_stream(model, x.data(), 1, n, acts);
          std::vector<double> times_us;
          const auto budget_end = clock::now() + std::chrono::milliseconds(1000);
          while (reps > 0 ? static_cast<int>(times_us.size()) < reps
                          : (times_us.size() < 10 || (clock::now() < budget_end && times_us.size() < 2000))) {
            const auto t0 = clock::now();
            attn::model_forward_stream(model, x.data(), 1, n, acts);
            const auto t1 = clock::now();
            times_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
          }
          const double med = median(times_us);
          const double gflops = attn::forward_flops(static_cast<std::size_t>(n), config) / (med * 1e3);
          std::printf("n=%d d_model=%d heads=%d median_us=%.1f gflops=%.2f\n", n, d_model, h, med, gflops);
          std::fflush(stdout);
        }
    return 0;
  });
}

}  // namespace app::cli
