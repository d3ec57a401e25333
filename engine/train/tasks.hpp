// Tasks the transformer learns in seconds, each a seeded data generator with its vocabulary, an
// example input, what its loss counts, and the head detectors that say what a formed head looks
// like there.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/text/tokenizer.hpp"

namespace attn {

class Bpe;  // engine/text/bpe.hpp

// Head detectors: each is a set of (query, key) cells per sequence where a head doing that job
// puts its weight; the score of a head is its mean weight on those cells, in [0, 1].
// DuplicateToken: a token to the latest earlier copy of itself (the text task).
enum class Detector { PreviousToken, Induction, Self, FirstToken, Reverse, Referent, DuplicateToken };
inline constexpr int kDetectorCount = 7;
std::string_view to_string(Detector d);  // "previous-token", "induction", "self", "first-token", ...

struct Vocab {
  std::vector<std::string> words;  // id -> text
  std::unordered_map<std::string, int> ids;
  int pad = 0, unk = 1;  // every task's first two words are "<pad>" and "<unk>"

  explicit Vocab(std::vector<std::string> words);
  int id(std::string_view word) const;  // unk when absent
  int size() const { return static_cast<int>(words.size()); }
};

struct Cell {
  int query, key;
};

// One sequence: ids (len) and targets (len; -1 = not counted by the loss), and per detector the
// cells where that kind of head attends.
struct Sequence {
  std::vector<std::int32_t> ids, targets;
  std::array<std::vector<Cell>, kDetectorCount> cells;
};

// Text a person typed, in a vocabulary: whitespace-separated words, with . , ! ? split off as
// their own tokens, optionally lower-cased.
struct Encoded {
  std::vector<std::int32_t> ids;
  std::vector<Token> tokens;  // each word as typed (lower-cased when asked) and its byte span
  std::vector<bool> unknown;  // true where the word is not in the vocabulary (id = unk)
};
Encoded encode_text(const Vocab& vocab, std::string_view text, bool lower_case);
// The one case rule: whether a task's words are lower-cased before lookup (only "sentences",
// whose vocabulary is lower-case prose). Checkpoints name their task, so the app asks here too.
bool task_lower_cases(std::string_view task_name);

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view counts() const = 0;  // which positions the loss counts, in words
  virtual int default_seq_len() const = 0;
  virtual std::string example() const = 0;  // an input to look at, in this task's words
  virtual std::vector<Detector> detectors() const = 0;
  virtual int min_seq_len() const = 0;
  // A fresh sequence of at most max_len tokens (max_len >= min_seq_len()), with the generic
  // detector cells (previous-token, self, first-token) added. held_out: draw only combinations
  // that training never sees (tasks that hold some out; the others ignore it).
  Sequence sample(std::uint64_t& rng, int max_len, bool held_out) const;
  void sample(std::uint64_t& rng, int max_len, bool held_out, Sequence& out) const;  // reuses out's storage
  const Vocab& vocab() const { return m_vocab; }
  // The bytes a token stands for, for the loss in bits per byte; 0 for the word-level tasks,
  // whose loss has no byte count.
  virtual std::size_t token_bytes(std::int32_t) const { return 0; }
  // The byte-level BPE the task reads its ids from (the text task), or null.
  virtual const Bpe* tokenizer() const { return nullptr; }
  // encode_text() with this task's vocabulary (lower-cased for sentences).
  Encoded encode(std::string_view text) const;

 protected:
  explicit Task(std::vector<std::string> words) : m_vocab(std::move(words)) {}
  // Appends one sequence to the empty `out`.
  virtual void generate(std::uint64_t& rng, int max_len, bool held_out, Sequence& out) const = 0;

 private:
  Vocab m_vocab;
};

// "induction", "reverse", "sort" or "sentences"; null for any other name.
std::unique_ptr<Task> make_task(std::string_view name);
const std::vector<std::string_view>& task_names();

// Pads sequences into a batch (B, T): ids with <pad>, targets with -1.
void pack_batch(const std::vector<Sequence>& seqs, int T, int pad_id, std::int32_t* ids, std::int32_t* targets);

}  // namespace attn
