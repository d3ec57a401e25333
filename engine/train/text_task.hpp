// The `text` task: next-token prediction on real text, read from corpus files through a byte-level
// BPE. Files are never held in memory: each sequence is read at a random offset (pread), so a
// corpus of any size trains in the memory of one batch; unigram and bigram baselines and the
// held-out loss in bits per byte say how much the model learned beyond word counts.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/model/transformer.hpp"
#include "engine/text/bpe.hpp"
#include "engine/train/tasks.hpp"

namespace attn {

// The shortest corpus the text task reads (training and held-out parts each): a few sequences.
inline constexpr std::uint64_t kMinTextCorpusBytes = 256;
// What the baselines count at most: the first 64 MiB of the training text (a bigger corpus is
// still trained on in full).
inline constexpr std::uint64_t kBaselineCountBytes = 64ull << 20;

// The text task's example input (what a text model shows before a person types).
inline constexpr const char* kTextTaskExample = "Mr. Darcy looked at Elizabeth, and Elizabeth looked at Mr. Darcy.";

// Checks that a corpus file is UTF-8 text: a regular file (not a folder, FIFO or device), not
// empty, no NUL byte and only valid UTF-8 in its first MiB. Throws FileError naming the file and
// what is wrong ("corpus x.txt: it is not UTF-8 text (byte 0xE9 at offset 12)").
void check_text_file(const std::string& path);

struct TextTaskOptions {
  std::vector<std::string> train_files;
  // Held out from training. Empty: the last 2% of each training file (cut at a line break) is
  // held out instead, and training reads only the rest.
  std::vector<std::string> heldout_files;
  // Share of training sequences that are a span followed by the same span again, so that
  // induction heads have something to copy (0 = plain text only).
  double repeat_fraction = 0.0;
};

// Byte ranges [begin, end) of opened corpus files.
struct CorpusRange {
  std::shared_ptr<const int> fd;  // closed when the last range of the file goes
  std::string path;
  std::uint64_t begin = 0, end = 0;
};

class TextTask final : public Task {
 public:
  // Opens and checks every file (check_text_file). Throws FileError naming a bad file, and
  // std::invalid_argument for a repeat fraction outside [0, 1] or a corpus part under
  // kMinTextCorpusBytes. The tokenizer must be a byte-level BPE (every byte has a token).
  TextTask(Bpe tokenizer, const TextTaskOptions& options);

  std::string_view name() const override { return "text"; }
  std::string_view counts() const override { return "every next token"; }
  int default_seq_len() const override { return 128; }
  int min_seq_len() const override { return 8; }
  std::vector<Detector> detectors() const override {
    return {Detector::PreviousToken, Detector::FirstToken, Detector::DuplicateToken, Detector::Induction};
  }
  std::string example() const override;
  std::size_t token_bytes(std::int32_t id) const override;
  const Bpe* tokenizer() const override { return &m_bpe; }

  double repeat_fraction() const { return m_repeat_fraction; }
  std::uint64_t train_bytes() const { return m_train_bytes; }
  std::uint64_t heldout_bytes() const { return m_heldout_bytes; }

  // The baselines' held-out bits per byte on the positions `seqs` count (each target given the
  // token before it): a unigram and an interpolated bigram model counted on the training text
  // (up to kBaselineCountBytes). The bigram's weight on the pair counts is the best of a small
  // grid on these same positions, so the baseline is as strong as that family allows.
  struct Baselines {
    double unigram_bpb = 0.0, bigram_bpb = 0.0, bigram_weight = 0.0;
    std::uint64_t counted_tokens = 0;  // training tokens the counts come from
  };
  Baselines baselines(const std::vector<Sequence>& seqs) const;

 protected:
  // Held out: 3 in 4 sequences are plain held-out text (their targets are counted by the loss,
  // their cells score previous-token, first-token and duplicate-token heads); 1 in 4 is a span
  // of held-out text twice, then the text that followed it (nothing counted by the loss;
  // induction cells in the second copy, at the token after each token's first occurrence).
  // Training: plain text, or with probability repeat_fraction a span twice and what followed;
  // every next token counted. Span lengths vary (T/8 to T/2 tokens) so that no fixed offset
  // reaches the earlier copy.
  void generate(std::uint64_t& rng, int max_len, bool held_out, Sequence& out) const override;

 private:
  // At least n tokens of text from a random place in the training or held-out part, starting at
  // a word boundary.
  void read_tokens(std::uint64_t& rng, bool held_out, std::size_t n, std::vector<std::int32_t>& out) const;

  Bpe m_bpe;
  std::vector<CorpusRange> m_train, m_heldout;
  std::uint64_t m_train_bytes = 0, m_heldout_bytes = 0;
  double m_repeat_fraction = 0.0;
  mutable std::uint64_t m_heldout_count = 0;  // which held-out sequence is next (3 plain, 1 repeated)
};

// The corpus a text model trains on when none is named: opening a text checkpoint to train it
// further (the window's Train mode). The app names its data folder's English corpus at start, so
// the engine knows no data folder. Not thread-safe: set it before any use.
void set_default_corpus(const TextTaskOptions& options);
const TextTaskOptions& default_corpus();

// The vocabulary words a BPE model's checkpoint lists: each token's readable text (token_text),
// made unique by "#id" where two tokens read the same.
std::vector<std::string> bpe_vocab_words(const Bpe& bpe);

// Next-token copying on a repeated word list: `words` random single-token words (" the"-style
// tokens of letters), the list, then the list again; the share of the second copy's tokens (after
// its first) that the model's most likely next token gets right. Deterministic for a seed.
double repeated_list_copying(const Model& model, const Bpe& bpe, int words, std::uint64_t seed);

}  // namespace attn
