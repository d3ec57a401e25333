// Train mode's text tasks without a window: the train host learns a BPE on a text file, trains
// the model on it and publishes bits per byte beside the unigram and bigram baselines; the model
// view reads a typed sentence through that BPE; a bad file is one message naming it, and the
// model trained so far stays.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/train_host.hpp"
#include "core/train_model_view.hpp"
#include "core/train_state.hpp"
#include "core/train_text.hpp"
#include "engine/file_io.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCorpus = (fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "bpe" / "train_corpus.txt").string();

app::TrainCommand text_reset(const std::string& file) {
  app::TrainChoices c;
  c.task = "text";
  c.text_file = file;
  app::text_task_defaults(c);
  c.arch.d_model = 16;  // small: the test is about the plumbing, not the learning
  c.arch.n_heads = 2;
  c.settings.batch = 4;
  c.settings.seq_len = 16;
  c.settings.steps = 20;
  app::derive_choices(c, true);
  return app::command_for(app::TrainCommand::Kind::Reset, c);
}

std::string write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

}  // namespace

TEST_CASE("the train host trains on a text file through a BPE learned on it and reports bits per byte",
          "[train-ui][text]") {
  app::TrainHost host;
  host.post(text_reset(kCorpus));
  host.wait_idle();
  auto p = host.latest();
  REQUIRE(p);
  REQUIRE(p->model);
  INFO(p->message);
  CHECK_FALSE(p->error);
  CHECK(p->model->task == "text");
  CHECK(p->text_file == kCorpus);
  // The BPE travels with the model, of the model's vocabulary size (a short file stops early).
  REQUIRE(p->model->tokenizer);
  CHECK(p->model->tokenizer->vocab_size() == static_cast<std::size_t>(p->model->model.arch.vocab_size));
  CHECK(p->model->tokenizer->n_merges() > 100);
  // Baselines: the bigram beats the unigram; the untrained model is worse than both.
  CHECK(p->bigram_bpb > 0.5);
  CHECK(p->unigram_bpb > p->bigram_bpb);
  REQUIRE(p->curve.size() == 1);
  CHECK(p->curve[0]->bits_per_byte > p->unigram_bpb);
  CHECK(p->curve[0]->detectors.reported.size() == 4);  // previous-token, first-token, duplicate, induction

  for (int i = 0; i < 20; ++i) host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  p = host.latest();
  CHECK(p->step == 20);
  CHECK(p->curve.back()->bits_per_byte < p->curve.front()->bits_per_byte);

  // The trained model as a checkpoint, with its BPE (what File > Save model writes).
  const attn::Checkpoint c = app::trained_checkpoint(*p);
  CHECK(c.step == 20);
  CHECK(c.model.params == *p->params);
  REQUIRE(c.tokenizer);

  // The model view reads a typed sentence in the BPE's tokens: they tile the text, spaces included.
  app::TrainState state;
  app::on_new_model(state, app::choices_of("text", c.model.arch, c.model.run, c.train, kCorpus), c.model.arch.n_layers,
                    c.model.arch.n_heads);
  CHECK(state.example == attn::kTextTaskExample);
  state.example = "the cat sat on the mat";
  app::TrainModelView view;
  view.update(*p, state);
  INFO(view.error());
  REQUIRE(view.error().empty());
  REQUIRE(view.run().n_layers() == c.model.arch.n_layers);
  const auto& tokens = view.run().input.tokens;
  REQUIRE(!tokens.empty());
  CHECK(tokens.size() < state.example.size());  // merged tokens, not bytes
  std::string joined;
  for (const auto& t : tokens) joined += t.text;
  CHECK(joined == state.example);
}

TEST_CASE("a bad text file is one message naming it and the model trained so far stays", "[train-ui][text]") {
  test_support::TempDir dir;
  const std::string binary = write(dir.path / "photo.txt", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  const std::string latin1 = write(dir.path / "latin1.txt",
                                   "caf\xE9 au lait, cr\xE8me br\xFBl\xE9"
                                   "e\n");
  const std::string empty = write(dir.path / "empty.txt", "");
  const std::string tiny = write(dir.path / "tiny.txt", "Only a line of text.\n");
  const std::string fifo = (dir.path / "pipe").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string missing = (dir.path / "missing.txt").string();
  const std::pair<std::string, const char*> cases[] = {
      {binary, "binary"},       {latin1, "UTF-8"},  {empty, "empty"}, {fifo, "FIFO"}, {dir.path.string(), "folder"},
      {missing, "missing.txt"}, {tiny, "too short"}};
  for (const auto& [path, what] : cases) {
    INFO(path);
    // What the prompt checks before anything is learned.
    CHECK_THROWS_WITH(app::text_corpus(path), Catch::Contains(path) && Catch::Contains(what));
  }

  app::TrainHost host;
  app::TrainCommand first{app::TrainCommand::Kind::Reset};
  first.task = "reverse";
  first.arch.d_model = 16;
  first.arch.n_heads = 2;
  first.arch.d_head = 8;
  first.settings.batch = 4;
  first.settings.seq_len = 12;
  host.post(first);
  host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  const auto before = host.latest();
  REQUIRE(before->model);
  // Through the worker: a binary file, and a file too short to hold a held-out part.
  for (const auto& [path, what] : {std::pair<std::string, const char*>{binary, "binary"}, {tiny, "too short"}}) {
    INFO(path);
    host.post(text_reset(path));
    host.wait_idle();
    const auto p = host.latest();
    CHECK(p->error);
    CHECK_THAT(p->message, Catch::Contains(path) && Catch::Contains(what));
    CHECK(p->model == before->model);  // the same model, at the same step
    CHECK(p->step == 1);
    CHECK(p->model_generation == before->model_generation);
  }
}

TEST_CASE("without the English corpus the text task says how to build it", "[train-ui][text]") {
  test_support::TempDir dir;
  const char* was = std::getenv("ATTNLAB_DATA_DIR");
  const std::string saved = was ? was : "";
  ::setenv("ATTNLAB_DATA_DIR", dir.path.c_str(), 1);
  CHECK_THROWS_WITH(app::text_corpus(""),
                    Catch::Contains("bash bootstrap.sh corpus") && Catch::Contains("english-train.txt"));
  app::TrainHost host;
  host.post(text_reset(""));
  host.wait_idle();
  const auto p = host.latest();
  REQUIRE(p);
  CHECK(p->error);
  CHECK_FALSE(p->model);
  CHECK_THAT(p->message, Catch::Contains("bash bootstrap.sh corpus"));
  if (was)
    ::setenv("ATTNLAB_DATA_DIR", saved.c_str(), 1);
  else
    ::unsetenv("ATTNLAB_DATA_DIR");
}

TEST_CASE("a model trained on text in Train mode saves as a Hugging Face folder that reads back its ids and logits",
          "[train-ui][text][gpt2]") {
  app::TrainHost host;
  app::TrainCommand reset = text_reset(kCorpus);
  host.post(reset);
  host.wait_idle();
  // The window's text defaults (no MLP, rotary positions) are refused with the reason.
  const attn::Checkpoint defaults = app::trained_checkpoint(*host.latest());
  CHECK_THAT(attn::hf_gpt2_refusal(defaults.model), Catch::Contains("no MLP"));
  reset.arch.mlp = true;
  reset.arch.d_mlp = 32;
  reset.run.positional = attn::Positional::Learned;
  reset.arch.learned_positions = true;
  host.post(reset);
  for (int i = 0; i < 3; ++i) host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  const attn::Checkpoint c = app::trained_checkpoint(*host.latest());
  REQUIRE(c.tokenizer);
  REQUIRE(attn::hf_gpt2_refusal(c.model).empty());
  test_support::TempDir dir;
  const std::string folder = (dir.path / "gpt2").string();
  attn::save_hf_gpt2(c.model, *c.tokenizer, folder);
  const attn::HfGpt2 back = attn::load_hf_gpt2(folder);
  const attn::Bpe bpe = attn::load_bpe(folder);
  for (const std::string text : {"The quick fox.", "It was the\nbest"}) {
    INFO(text);
    const std::vector<std::int32_t> ids = c.tokenizer->encode(text);
    REQUIRE(bpe.encode(text) == ids);
    attn::Activations ours, theirs;
    attn::model_forward(c.model, ids.data(), 1, static_cast<int>(ids.size()), ours);
    attn::model_forward(back.model, ids.data(), 1, static_cast<int>(ids.size()), theirs);
    CHECK(ours.logits == theirs.logits);
  }
}
