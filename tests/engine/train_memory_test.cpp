// The memory a training run needs, computed before it is allocated: the estimate is checked
// against the buffers a real Trainer holds, part by part, and a checkpoint whose training
// settings would need more than any run may use is refused when read, naming the keys.
#include <catch2/catch.hpp>

#include "engine/file_io.hpp"
#include "engine/file_limits.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/train/trainer.hpp"
#include "temp_dir.hpp"

namespace {

struct Case {
  int layers, d_model, heads, d_head;
  bool mlp;
  attn::Positional positional;
  int batch, seq_len;
  const char* task;
};

const Case kCases[] = {
    {1, 16, 2, 8, false, attn::Positional::Learned, 4, 12, "reverse"},
    {2, 32, 4, 8, true, attn::Positional::Sinusoidal, 8, 20, "sentences"},
    {3, 24, 3, 6, true, attn::Positional::Rope, 5, 32, "induction"},
    {2, 16, 2, 5, false, attn::Positional::None, 3, 24, "sort"},
};

attn::Arch arch_of(const Case& c) {
  attn::Arch a;
  a.n_layers = c.layers;
  a.d_model = c.d_model;
  a.n_heads = c.heads;
  a.d_head = c.d_head;
  a.mlp = c.mlp;
  return a;
}

}  // namespace

TEST_CASE("activation_floats and backward_floats are what resize allocates", "[train][memory]") {
  for (const Case& c : kCases) {
    attn::Arch a = arch_of(c);
    a.vocab_size = 37;
    a.max_seq_len = c.seq_len;
    attn::RunOptions run;
    run.positional = c.positional;
    a.learned_positions = c.positional == attn::Positional::Learned;
    INFO("layers " << c.layers << " mlp " << c.mlp << " positional " << attn::to_string(c.positional));
    attn::Activations acts;
    acts.resize(a, run, c.batch, c.seq_len);
    CHECK(acts.floats() == attn::activation_floats(a, run, c.batch, c.seq_len));
    acts.resize(a, run, c.batch + 3, c.seq_len - 1);  // resized in place, as evaluation then training do
    CHECK(acts.floats() == attn::activation_floats(a, run, c.batch + 3, c.seq_len - 1));
    attn::BackwardBuffers back;
    back.resize(a, c.batch, c.seq_len);
    CHECK(back.floats() == attn::backward_floats(a, c.batch, c.seq_len));
  }
}

TEST_CASE("a trainer holds exactly what training_memory says, part by part", "[train][memory]") {
  for (const Case& c : kCases) {
    attn::RunOptions run;
    run.positional = c.positional;
    attn::TrainSettings settings;
    settings.batch = c.batch;
    settings.seq_len = c.seq_len;
    attn::Trainer trainer(arch_of(c), run, settings, attn::make_task(c.task));
    trainer.step();
    trainer.evaluate();
    trainer.step();
    const attn::TrainingMemory held = trainer.memory_held();
    const attn::TrainingMemory need = attn::training_memory(trainer.model().arch, run, settings);
    INFO("task " << c.task << " layers " << c.layers << " mlp " << c.mlp);
    CHECK(held.parameters == need.parameters);
    CHECK(held.activations == need.activations);
    CHECK(held.backward == need.backward);
    CHECK(held.evaluation == need.evaluation);
    CHECK(held.batches == need.batches);
    CHECK(held.total() == need.total());
    CHECK(attn::trained_arch(arch_of(c), run, settings, trainer.task()) == trainer.model().arch);
    // After a failed step the batch's buffers go, and the next step sizes them again.
    trainer.release_step_buffers();
    CHECK(trainer.memory_held().activations == 0);
    CHECK_FALSE(trainer.step().diverged);
    CHECK(trainer.memory_held().total() == need.total());
  }
}

TEST_CASE("bytes_text reads like /proc/meminfo's units", "[train][memory]") {
  CHECK(attn::bytes_text(512) == "512 bytes");
  CHECK(attn::bytes_text(1536) == "1.50 KiB");
  CHECK(attn::bytes_text(std::uint64_t{9} << 30) == "9.00 GiB");
  CHECK(attn::bytes_text(std::uint64_t{68} << 30) == "68.0 GiB");
  CHECK(attn::bytes_text(std::uint64_t{679} << 20) == "679 MiB");
}

TEST_CASE("a checkpoint whose batch x seq_len could not be trained is refused, naming the keys",
          "[checkpoint][memory]") {
  // The hostile run's checkpoint: a valid model of 4 layers x 16 heads, d_model 256, with
  // train.batch 1024 and train.seq_len 256. Opening it and pressing F5 asked for ~50 GB.
  attn::Arch a;
  a.n_layers = 4;
  a.d_model = 256;
  a.n_heads = 16;
  a.d_head = 16;
  a.vocab_size = 64;
  a.max_seq_len = 256;
  a.learned_positions = true;
  attn::Checkpoint c;
  c.model = attn::Model::create(a, attn::RunOptions{}, 1);
  c.task = "induction";
  for (int i = 0; i < a.vocab_size; ++i) c.vocab.push_back("w" + std::to_string(i));
  c.train.batch = 1024;
  c.train.seq_len = 256;
  REQUIRE(attn::training_memory(a, c.model.run, c.train).total() > attn::kMaxTrainingBytes);
  test_support::TempDir dir;
  const std::string path = (dir.path / "huge-batch.npz").string();
  attn::save_checkpoint(c, path);
  try {
    attn::load_checkpoint(path);
    FAIL("the checkpoint was accepted");
  } catch (const attn::FileError& e) {
    const std::string m = e.what();
    CHECK(m.find(path) != std::string::npos);
    CHECK(m.find("'train.batch' (1024) x 'train.seq_len' (256)") != std::string::npos);
    CHECK(m.find("GiB") != std::string::npos);
    CHECK(m.find("limit of 8.00 GiB") != std::string::npos);
  }
  // The same model with a batch that fits is read.
  c.train.batch = 4;
  attn::save_checkpoint(c, path);
  CHECK(attn::load_checkpoint(path).train.batch == 4);
}
