// Training that would not fit in memory: refused before it starts with what it needs and what the
// machine has, and a step that runs out of memory all the same stops training and keeps the model
// instead of taking the window down.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/process_memory.hpp"
#include "core/train_host.hpp"
#include "core/train_memory.hpp"
#include "engine/file_limits.hpp"

namespace {

app::TrainCommand reset_command(const attn::Arch& arch, const attn::TrainSettings& settings, const char* task) {
  app::TrainCommand command{app::TrainCommand::Kind::Reset};
  command.arch = arch;
  command.settings = settings;
  command.task = task;
  return command;
}

attn::Arch small_arch() {
  attn::Arch a;
  a.d_model = 16;
  a.n_heads = 2;
  a.d_head = 8;
  return a;
}

// The flags of the hostile run: --layers 4 --heads 16 --d-model 256 --mlp --seq-len 256 --batch 1024.
attn::Arch hostile_arch() {
  attn::Arch a;
  a.n_layers = 4;
  a.n_heads = 16;
  a.d_model = 256;
  a.d_head = 16;
  a.mlp = true;
  return a;
}

// The address space this process may use, for one test, then back to what it was.
struct AddressSpaceLimit {
  rlimit before{};
  explicit AddressSpaceLimit(rlim_t bytes) {
    getrlimit(RLIMIT_AS, &before);
    rlimit now = before;
    now.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_AS, &now) == 0);
  }
  ~AddressSpaceLimit() { setrlimit(RLIMIT_AS, &before); }
};

// Waits (bounded) until the worker has published progress that satisfies `done`.
template <typename F>
std::shared_ptr<const app::TrainProgress> wait_for(const app::TrainHost& host, F done) {
  for (int i = 0; i < 2000; ++i) {
    const auto p = host.latest();
    if (p && done(*p)) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL("the trainer did not get there in 10 s");
  return nullptr;
}

[[maybe_unused]] std::size_t virtual_bytes() {  // unused where sanitizers skip the tests below
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  REQUIRE(f != nullptr);
  unsigned long pages = 0;
  const int n = std::fscanf(f, "%lu", &pages);
  std::fclose(f);
  REQUIRE(n == 1);
  return pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("MemAvailable is read from /proc/meminfo's text", "[memory]") {
  CHECK(app::parse_mem_available("MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   20971520 kB\n") ==
        std::uint64_t{20} << 30);
  CHECK_FALSE(app::parse_mem_available("MemTotal:       24000000 kB\n"));
  CHECK_FALSE(app::parse_mem_available("MemAvailable:   -5 kB\n"));
  CHECK_FALSE(app::parse_mem_available("MemAvailable:   lots\n"));
  const auto available = app::available_memory_bytes();
  REQUIRE(available);
  CHECK(*available > 0);
}

TEST_CASE("a run that needs more than the machine has, or than any run may use, is refused naming both", "[memory]") {
  attn::TrainSettings settings;
  settings.batch = 1024;
  settings.seq_len = 256;
  attn::RunOptions run;
  attn::Arch a = hostile_arch();
  a.vocab_size = 64;
  a.max_seq_len = 256;
  a.learned_positions = true;
  const app::TrainingNeed need = app::training_need(a, run, settings, 0);
  CHECK(need.total() > (std::uint64_t{50} << 30));  // the issue extrapolated ~68 GB from batch 64
  const std::string short_machine = app::training_memory_refusal(need, settings, std::uint64_t{16} << 30);
  CHECK(short_machine.find("training needs about") == 0);
  CHECK(short_machine.find(attn::bytes_text(need.total())) != std::string::npos);
  CHECK(short_machine.find("for batch 1024 x 256 tokens") != std::string::npos);
  CHECK(short_machine.find("but the machine has 16.0 GiB available") != std::string::npos);
  // A machine with room for it still may not: the limit, and the machine's memory, are named.
  const std::string big_machine = app::training_memory_refusal(need, settings, std::uint64_t{1} << 40);
  CHECK(big_machine.find("more than a run may use (8.00 GiB; the machine has 1.00 TiB available)") !=
        std::string::npos);
  settings.batch = 4;
  settings.seq_len = 32;
  CHECK(
      app::training_memory_refusal(app::training_need(a, run, settings, 0), settings, std::uint64_t{16} << 30).empty());
}

TEST_CASE("the window refuses to start a run that cannot fit, and keeps the model it has", "[train-ui][memory]") {
  app::TrainHost host;
  attn::TrainSettings small;
  small.batch = 4;
  small.seq_len = 12;
  host.post(reset_command(small_arch(), small, "reverse"));
  host.wait_idle();
  REQUIRE(host.latest());
  const auto before = host.latest();
  attn::TrainSettings huge;
  huge.batch = 1024;
  huge.seq_len = 256;
  host.post(reset_command(hostile_arch(), huge, "induction"));
  host.wait_idle();
  const auto after = host.latest();
  INFO(after->message);
  CHECK(after->message.find("Not started: training needs about") == 0);
  CHECK(after->message.find(" available") != std::string::npos);
  CHECK(after->error);  // drawn in red, and put in the status bar once
  CHECK(after->message_generation == after->generation);
  CHECK_FALSE(before->error);
  CHECK(after->model_generation == before->model_generation);
  CHECK(after->model->model.arch == before->model->model.arch);
  CHECK(*after->params == *before->params);
}

// The sanitizers reserve terabytes of address space for their shadow memory, so an address-space
// limit cannot stand in for a machine short of memory there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ATTN_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ATTN_TEST_SANITIZED 1
#endif
#endif
#ifndef ATTN_TEST_SANITIZED
TEST_CASE("a step that runs out of memory stops training, keeps the model and says what a step needs",
          "[train-ui][memory]") {
  app::TrainHost host;
  // Induction, 4 layers of 16 heads at batch 1024 x 32: a step's activations are ~850 MB, the
  // model and its held-out batch ~60 MB. The estimate fits the machine, so the worker starts;
  // the address-space limit below then makes the step's allocation fail as a short machine would.
  attn::Arch a;
  a.n_layers = 4;
  a.d_model = 64;
  a.n_heads = 16;
  a.d_head = 4;
  attn::TrainSettings settings;
  settings.batch = 1024;
  settings.seq_len = 32;
  settings.steps = 100;
  host.post(reset_command(a, settings, "induction"));
  host.wait_idle();
  REQUIRE(host.latest()->message.find("New model") == 0);
  const auto before = host.latest();
  {
    const AddressSpaceLimit limit(virtual_bytes() + (400u << 20));
    // F6: one step, handled as a command.
    host.post({app::TrainCommand::Kind::Step});
    host.wait_idle();
    auto p = host.latest();
    INFO(p->message);
    CHECK_FALSE(p->running);
    CHECK(p->message.find("Out of memory at step 0: training this model needs about") == 0);
    CHECK(p->message.find("available). Stopped; the model of step 0 is kept") != std::string::npos);
    CHECK(p->error);
    CHECK(p->step == 0);
    CHECK(*p->params == *before->params);
    // F5: the same inside the worker's training loop.
    const std::uint64_t generation = p->generation;
    host.post({app::TrainCommand::Kind::Run});
    p = wait_for(host, [&](const app::TrainProgress& q) { return q.generation >= generation + 2 && !q.running; });
    INFO(p->message);
    CHECK(p->message.find("Out of memory at step 0") == 0);
    CHECK(p->step == 0);
    CHECK(*p->params == *before->params);
  }
  // With the memory back, the kept model trains on.
  host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  CHECK(host.latest()->step == 1);
}
#endif
