// The text task: sequences are contiguous corpus text with next-token targets, the held-out batch
// mixes plain and repeated spans with the detector cells in the right places, the baselines and
// bits per byte are sane, and every bad corpus is refused with its name.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>

#include "engine/file_io.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/rng.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/train/text_task.hpp"
#include "engine/train/trainer.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

// A few KB of English-like text: sentences built from a small word list by a seeded generator.
std::string english_like(std::size_t bytes, std::uint64_t seed) {
  static const char* const words[] = {"the",       "cat",  "sat",  "on",    "a",   "mat", "and",
                                      "dog",       "ran",  "to",   "house", "of",  "her", "sister",
                                      "Elizabeth", "said", "that", "it",    "was", "warm"};
  std::string s;
  while (s.size() < bytes) {
    const int n = 4 + static_cast<int>(attn::detail::splitmix64(seed) % 8);
    for (int i = 0; i < n; ++i) {
      s += (i ? " " : "");
      s += words[attn::detail::splitmix64(seed) % 20];
    }
    s += attn::detail::splitmix64(seed) % 5 == 0 ? ".\n" : ". ";
  }
  return s;
}

std::string write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

attn::Bpe small_bpe(const std::string& corpus_path) {
  attn::PieceCounts counts;
  counts.add_file(corpus_path);
  return attn::train_bpe(counts, 300).bpe;
}

std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("text task sequences are contiguous corpus text with next-token targets", "[text]") {
  test_support::TempDir dir;
  const std::string text = english_like(40000, 1);
  const std::string train = write(dir.path / "train.txt", text);
  const std::string held = write(dir.path / "held.txt", english_like(4000, 2));
  attn::TextTaskOptions options;
  options.train_files = {train};
  options.heldout_files = {held};
  const attn::TextTask task(small_bpe(train), options);
  CHECK(task.vocab().size() == 300);
  CHECK(task.train_bytes() == text.size());
  std::uint64_t rng = 7;
  for (int n = 0; n < 20; ++n) {
    const attn::Sequence s = task.sample(rng, 32, false);
    REQUIRE(s.ids.size() == 32);
    REQUIRE(s.targets.size() == 32);
    for (std::size_t i = 0; i + 1 < s.ids.size(); ++i) CHECK(s.targets[i] == s.ids[i + 1]);
    std::vector<std::int32_t> all = s.ids;
    all.push_back(s.targets.back());
    const std::string decoded = task.tokenizer()->decode(all);
    INFO(decoded);
    CHECK(text.find(decoded) != std::string::npos);  // one window of the file, not pieces of several
  }
}

TEST_CASE("text task held-out batch has 3 plain sequences in 4 and 1 repeated span scoring induction", "[text]") {
  test_support::TempDir dir;
  const std::string train = write(dir.path / "train.txt", english_like(20000, 3));
  const std::string held = write(dir.path / "held.txt", english_like(6000, 4));
  attn::TextTaskOptions options;
  options.train_files = {train};
  options.heldout_files = {held};
  const attn::TextTask task(small_bpe(train), options);
  std::uint64_t rng = 9;
  const std::string held_text = english_like(6000, 4);
  for (int n = 0; n < 8; ++n) {
    const attn::Sequence s = task.sample(rng, 40, true);
    const auto& induction = s.cells[static_cast<int>(attn::Detector::Induction)];
    const auto& duplicate = s.cells[static_cast<int>(attn::Detector::DuplicateToken)];
    if (n % 4 == 3) {
      REQUIRE(s.ids.size() == 40);
      // A span of L tokens (5 to 20), again, then the text that followed it.
      const std::size_t L = induction.size() + 1;
      CHECK(L >= 5);
      CHECK(L <= 20);
      for (std::size_t j = 0; j < L; ++j) CHECK(s.ids[j] == s.ids[L + j]);
      CHECK(held_text.find(task.tokenizer()->decode({s.ids.begin() + static_cast<std::ptrdiff_t>(L), s.ids.end()})) !=
            std::string::npos);
      for (std::int32_t t : s.targets) CHECK(t == -1);  // scored by the detectors only, not the loss
      CHECK(induction[0].query == static_cast<int>(L));
      CHECK(induction[0].key == 1);
      for (const attn::Cell& c : induction)
        CHECK(s.ids[static_cast<std::size_t>(c.query)] == s.ids[static_cast<std::size_t>(c.key - 1)]);
    } else {
      CHECK(induction.empty());
      for (std::int32_t t : s.targets) CHECK(t >= 0);
      CHECK(held_text.find(task.tokenizer()->decode(s.ids)) != std::string::npos);
      REQUIRE_FALSE(duplicate.empty());  // twenty words repeat within 40 tokens
      for (const attn::Cell& c : duplicate) {
        CHECK(c.key < c.query);
        CHECK(s.ids[static_cast<std::size_t>(c.key)] == s.ids[static_cast<std::size_t>(c.query)]);
        for (int k = c.key + 1; k < c.query; ++k)
          CHECK(s.ids[static_cast<std::size_t>(k)] != s.ids[static_cast<std::size_t>(c.query)]);
      }
    }
  }
}

TEST_CASE("text task repeat fraction 1 trains on spans of varying length twice", "[text]") {
  test_support::TempDir dir;
  const std::string train = write(dir.path / "train.txt", english_like(20000, 5));
  attn::TextTaskOptions options;
  options.train_files = {train};
  options.repeat_fraction = 1.0;
  const attn::TextTask repeated(small_bpe(train), options);
  std::uint64_t rng = 3;
  std::set<std::size_t> lengths;
  for (int n = 0; n < 20; ++n) {
    const attn::Sequence s = repeated.sample(rng, 32, false);
    REQUIRE(s.ids.size() == 32);
    // The longest L with ids[0, L) == ids[L, 2L): the span's length, 4 to 16.
    std::size_t L = 16;
    while (L >= 4 && !std::equal(s.ids.begin(), s.ids.begin() + static_cast<std::ptrdiff_t>(L),
                                 s.ids.begin() + static_cast<std::ptrdiff_t>(L)))
      --L;
    CHECK(L >= 4);
    lengths.insert(L);
    for (std::size_t i = 0; i + 1 < 32; ++i) CHECK(s.targets[i] == s.ids[i + 1]);
    CHECK(s.targets[31] >= 0);
  }
  CHECK(lengths.size() >= 5);  // no fixed offset to the earlier copy
  CHECK_THROWS_WITH(attn::TextTask(small_bpe(train),
                                   [&] {
                                     attn::TextTaskOptions o = options;
                                     o.repeat_fraction = 1.5;
                                     return o;
                                   }()),
                    Catch::Contains("repeat fraction (1.5"));
}

TEST_CASE("text task without a held-out file holds out the end of each file from a line break", "[text]") {
  test_support::TempDir dir;
  const std::string text = english_like(50000, 6);
  const std::string train = write(dir.path / "train.txt", text);
  attn::TextTaskOptions options;
  options.train_files = {train};
  const attn::TextTask task(small_bpe(train), options);
  CHECK(task.train_bytes() + task.heldout_bytes() == text.size());
  CHECK(task.heldout_bytes() >= text.size() / 50);
  CHECK(text[task.train_bytes() - 1] == '\n');
  // Held-out sequences come from the tail only.
  const std::string tail = text.substr(task.train_bytes());
  std::uint64_t rng = 11;
  const attn::Sequence s = task.sample(rng, 24, true);
  CHECK(tail.find(task.tokenizer()->decode(s.ids)) != std::string::npos);
}

TEST_CASE("text task baselines: the bigram beats the unigram and bits per byte are finite", "[text]") {
  test_support::TempDir dir;
  const std::string train = write(dir.path / "train.txt", english_like(60000, 7));
  const std::string held = write(dir.path / "held.txt", english_like(8000, 8));
  attn::TextTaskOptions options;
  options.train_files = {train};
  options.heldout_files = {held};
  auto task = std::make_unique<attn::TextTask>(small_bpe(train), options);
  const attn::TextTask& t = *task;
  attn::Arch arch;
  arch.n_layers = 1;
  arch.d_model = 16;
  arch.n_heads = 2;
  arch.d_head = 8;
  arch.mlp = true;
  arch.d_mlp = 24;
  arch.gelu = attn::Gelu::Tanh;
  arch.tied_embeddings = true;
  attn::TrainSettings settings;
  settings.seq_len = 16;
  settings.batch = 4;
  attn::Trainer trainer(arch, attn::RunOptions{}, settings, std::move(task));
  const attn::TextTask::Baselines b = t.baselines(trainer.eval_sequences());
  CHECK(b.counted_tokens > 1000);
  CHECK(b.unigram_bpb > 0.5);
  CHECK(b.bigram_bpb < b.unigram_bpb);
  const attn::Evaluation before = trainer.evaluate();
  // An untrained model is near uniform: about log2(300) bits per token.
  CHECK(std::isfinite(before.bits_per_byte));
  CHECK(before.bits_per_byte > b.unigram_bpb);
  for (int i = 0; i < 30; ++i) REQUIRE_FALSE(trainer.step().diverged);
  CHECK(trainer.evaluate().bits_per_byte < before.bits_per_byte);
  // The tokenizer travels with the checkpoint, and GPT-2's switches survive the round trip.
  const attn::Checkpoint c = trainer.checkpoint();
  REQUIRE(c.tokenizer.has_value());
  CHECK(c.task == "text");
  const std::string path = (dir.path / "text.npz").string();
  attn::save_checkpoint(c, path);
  const attn::Checkpoint back = attn::load_checkpoint(path);
  CHECK(back.model.arch == c.model.arch);
  CHECK(back.model.arch.gelu == attn::Gelu::Tanh);
  CHECK(back.model.arch.tied_embeddings);
  CHECK(back.model.arch.mlp_dim() == 24);
  CHECK(back.model.params == c.model.params);
  CHECK(back.tokenizer->to_json() == c.tokenizer->to_json());
  CHECK(back.vocab == c.vocab);
  CHECK(attn::checkpoint_meta_json(back).find("\"version\": 2") != std::string::npos);
}

TEST_CASE("a checkpoint whose vocabulary disagrees with its embedding is refused naming both", "[text]") {
  test_support::TempDir dir;
  const std::string train = write(dir.path / "train.txt", english_like(20000, 9));
  attn::TextTaskOptions options;
  options.train_files = {train};
  attn::Arch arch;
  arch.n_layers = 1;
  arch.d_model = 16;
  arch.n_heads = 2;
  arch.d_head = 8;
  attn::TrainSettings settings;
  settings.seq_len = 16;
  attn::Trainer trainer(arch, attn::RunOptions{}, settings,
                        std::make_unique<attn::TextTask>(small_bpe(train), options));
  const std::string path = (dir.path / "m.npz").string();
  attn::save_checkpoint(trainer.checkpoint(), path);
  auto entries = attn::npz_read(attn::read_file(path), path);
  // An embedding of 299 rows for a 300-token vocabulary.
  entries["tok_emb.weight"] = attn::npy_encode(std::vector<float>(299 * 16, 0.1f).data(), {299, 16});
  attn::write_file_atomic(path, attn::npz_write(entries));
  const std::string why = refusal([&] { attn::load_checkpoint(path); });
  CHECK_THAT(why, Catch::Contains(path) && Catch::Contains("tok_emb.weight") && Catch::Contains("(299, 16)") &&
                      Catch::Contains("(300, 16)"));
}

TEST_CASE("a bad corpus is refused naming the file: empty binary not UTF-8 FIFO folder too small", "[text]") {
  test_support::TempDir dir;
  const std::string good = write(dir.path / "good.txt", english_like(20000, 10));
  const attn::Bpe bpe = small_bpe(good);
  const auto refused = [&](const std::string& path) {
    attn::TextTaskOptions options;
    options.train_files = {path};
    options.heldout_files = {good};
    return refusal([&] { attn::TextTask task(bpe, options); });
  };
  const std::string empty = write(dir.path / "empty.txt", "");
  CHECK_THAT(refused(empty), Catch::Contains("corpus " + empty + ": it is empty"));
  const std::string binary = write(dir.path / "binary.bin", std::string("PK\x03\x04\0\0abc", 9));
  CHECK_THAT(refused(binary), Catch::Contains("corpus " + binary + ": it looks binary (a NUL byte at offset 4)"));
  const std::string latin1 = write(dir.path / "latin1.txt", "caf\xE9 au lait, na\xEFve r\xE9sum\xE9\n");
  CHECK_THAT(refused(latin1), Catch::Contains("corpus " + latin1 + ": it is not UTF-8 text (byte 0xE9 at offset 3)"));
  const std::string fifo = (dir.path / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THAT(refused(fifo), Catch::Contains("corpus " + fifo + ": it is a FIFO, not a file"));
  CHECK_THAT(refused(dir.path.string()), Catch::Contains("corpus " + dir.path.string() + ": it is a folder"));
  const std::string missing = (dir.path / "missing.txt").string();
  CHECK_THAT(refused(missing), Catch::Contains("corpus " + missing + ": No such file"));
  const std::string tiny = write(dir.path / "tiny.txt", "Too short.\n");
  CHECK_THAT(refused(tiny),
             Catch::Contains("training part (" + tiny + ") has 11 bytes") && Catch::Contains("at least 256"));
}

TEST_CASE("a corpus larger than memory is read in place and never loaded whole", "[text]") {
  test_support::TempDir dir;
  // 1 MiB of text, then a hole to 64 GiB: far more than the memory of any machine running the
  // tests. Sampling preads a few KiB at a time, so it neither reads nor holds the whole.
  const std::string text = english_like(1 << 20, 12);
  const std::string path = write(dir.path / "huge.txt", text);
  if (::truncate(path.c_str(), 64ll << 30) != 0) {
    WARN("this file system has no sparse files; skipped");
    return;
  }
  attn::TextTaskOptions options;
  options.train_files = {path};
  const attn::TextTask task(small_bpe(write(dir.path / "small.txt", text.substr(0, 20000))), options);
  CHECK(task.train_bytes() + task.heldout_bytes() == (64ull << 30));
  std::uint64_t rng = 1;
  for (int n = 0; n < 50; ++n) CHECK(task.sample(rng, 64, false).ids.size() == 64);
}

TEST_CASE("repeated word list copying scores an untrained model near zero", "[text]") {
  test_support::TempDir dir;
  const std::string train = write(dir.path / "train.txt", english_like(20000, 13));
  const attn::Bpe bpe = small_bpe(train);
  attn::Arch arch;
  arch.n_layers = 1;
  arch.d_model = 16;
  arch.n_heads = 2;
  arch.d_head = 8;
  arch.vocab_size = static_cast<int>(bpe.vocab_size());
  arch.max_seq_len = 64;
  arch.learned_positions = true;
  const attn::Model m = attn::Model::create(arch, attn::RunOptions{}, 1);
  const double copying = attn::repeated_list_copying(m, bpe, 10, 1);
  CHECK(copying >= 0.0);
  CHECK(copying < 0.5);
}
