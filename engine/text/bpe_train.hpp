// Learning byte-level BPE merges from a corpus: the corpus is streamed through GPT-2's pre-split
// and only the counts of distinct pieces are kept, then the most frequent adjacent pair is merged
// until the vocabulary has the size asked for.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/text/bpe.hpp"

namespace attn {

// Counts of the distinct pre-split pieces of everything added.
class PieceCounts {
 public:
  // Adds a whole text (its pieces are final: nothing follows it).
  void add_text(std::string_view text);
  // Streams a file in 1 MiB blocks, cutting between blocks only where the pre-split always cuts
  // (after a lone newline between printable ASCII characters), so the counts equal add_text of
  // the whole file; when 16 MiB hold no such place, the text is cut before its last piece instead. Throws
  // FileError naming the file when it is missing, not a regular file (a folder, a FIFO), empty,
  // or binary (a NUL byte, or more than a tenth of its first block not UTF-8).
  // max_bytes: read at most this many bytes from the start (a huge file's first part; the count
  // of what was read is then final), 0 = the whole file.
  void add_file(const std::string& path, std::uint64_t max_bytes = 0);

  const std::unordered_map<std::string, std::uint64_t>& counts() const { return m_counts; }
  std::uint64_t bytes() const { return m_bytes; }    // bytes added
  std::uint64_t pieces() const { return m_pieces; }  // pieces added, with repeats

 private:
  void count(std::string_view text);
  std::unordered_map<std::string, std::uint64_t> m_counts;
  std::uint64_t m_bytes = 0, m_pieces = 0;
};

struct BpeTrainResult {
  Bpe bpe;
  bool stopped_early = false;  // no pair occurred twice before the vocabulary reached its size
};

// Learns vocab_size - 256 merges (vocab_size in 257..kMaxBpeVocab, else std::invalid_argument).
// Each step merges the pair of adjacent tokens that occurs most often over all pieces (weighted
// by their counts); ties go to the pair with the smallest left id, then the smallest right id
// (bytes are ids 0..255 by value, merge i makes id 256+i), so the result is deterministic.
// Stops early when no pair occurs at least twice.
BpeTrainResult train_bpe(const PieceCounts& counts, std::size_t vocab_size);

}  // namespace attn
