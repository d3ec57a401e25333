// BPE training with incremental pair counts (as Hugging Face's trainer): a merge only revisits
// the pieces that hold its pair, and a max-heap with lazy deletion finds the next pair.
#include "engine/text/bpe_train.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>
#include <stdexcept>
#include <vector>

#include "engine/file_io.hpp"
#include "engine/text/pre_split.hpp"
#include "engine/text/utf8.hpp"

namespace attn {

namespace {

constexpr std::size_t kBlock = 1u << 20;
constexpr std::size_t kMaxCarry = 16u << 20;

// The last place in buf where the pre-split cuts the same with or without what follows: just
// after a lone '\n' between two printable, non-space ASCII bytes ("x\ny"). No piece holds white
// space and something else, and a lone newline is its own piece whether a non-space follows it
// (\s+ after \s+(?!\S) fails) or the text ends there (\s+(?!\S)). After a longer run of white
// space it would not be: "  \n" at the end of a block is one piece, but "  " and "\n" when "x"
// follows. Returns 0 when there is no such place.
std::size_t safe_cut(const std::string& buf) {
  const auto printable = [](char c) { return c >= '!' && c <= '~'; };
  for (std::size_t i = buf.size() - 1; i > 1; --i)
    if (buf[i - 1] == '\n' && printable(buf[i]) && printable(buf[i - 2])) return i;
  return 0;
}

}  // namespace

void PieceCounts::count(std::string_view text) {
  pre_split(text, [&](std::string_view piece) {
    ++m_counts[std::string(piece)];
    ++m_pieces;
  });
}

void PieceCounts::add_text(std::string_view text) {
  m_bytes += text.size();
  count(text);
}

void PieceCounts::add_file(const std::string& path, std::uint64_t max_bytes) {
  const auto fail = [&](const std::string& why) -> void { throw FileError("corpus " + path + ": " + why); };
  const ReadableFile file(path, "corpus " + path);  // a regular file, checked before and after opening
  const int fd = file.fd();

  std::string buf;
  std::uint64_t offset = 0;  // of buf[0] in the file
  std::uint64_t file_bytes = 0;
  bool first_block = true;
  std::vector<char> block(kBlock);
  for (;;) {
    std::size_t want = block.size();
    if (max_bytes > 0) {
      if (file_bytes >= max_bytes) break;
      want = static_cast<std::size_t>(std::min<std::uint64_t>(want, max_bytes - file_bytes));
    }
    const ssize_t got = ::read(fd, block.data(), want);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(std::strerror(errno));
    }
    if (got == 0) break;
    const std::string_view fresh(block.data(), static_cast<std::size_t>(got));
    // 1. Binary files are refused: a NUL byte never occurs in text, and a block mostly not
    //    UTF-8 is not text in any encoding attnlab reads.
    if (const std::size_t nul = fresh.find('\0'); nul != std::string_view::npos)
      fail("it looks binary (a NUL byte at offset " + std::to_string(offset + buf.size() + nul) +
           "); the corpus must be text");
    if (first_block) {
      std::size_t bad = 0;
      for (std::size_t i = 0; i < fresh.size();) {
        const Utf8Char c = decode_utf8(fresh, i);
        if (!c.valid && fresh.size() - i >= 4) ++bad;  // a character cut by the block end is not bad
        i += c.len;
      }
      if (bad * 10 > fresh.size())
        fail("it looks binary (" + std::to_string(bad) + " of its first " + std::to_string(fresh.size()) +
             " bytes are not UTF-8); the corpus must be text");
      first_block = false;
    }
    m_bytes += fresh.size();
    file_bytes += fresh.size();
    buf.append(fresh);
    // 2. Count everything up to the last safe cut; keep the rest for the next block.
    std::size_t cut = safe_cut(buf);
    if (cut == 0 && buf.size() > kMaxCarry) {
      // A line longer than 16 MiB: cut before its last piece (the pieces before it are final
      // unless the text breaks off mid-contraction or mid-character right at the cut).
      std::size_t last = 0;
      pre_split(buf, [&](std::string_view piece) { last = static_cast<std::size_t>(piece.data() - buf.data()); });
      cut = last;
    }
    if (cut > 0) {
      count(std::string_view(buf).substr(0, cut));
      buf.erase(0, cut);
      offset += cut;
    }
  }
  if (file_bytes == 0) fail("it is empty; the corpus must hold text");
  count(buf);
}

BpeTrainResult train_bpe(const PieceCounts& counts, std::size_t vocab_size) {
  if (vocab_size <= 256 || vocab_size > kMaxBpeVocab)
    throw std::invalid_argument("the vocabulary size (" + std::to_string(vocab_size) + ") must be between 257 and " +
                                std::to_string(kMaxBpeVocab) + " (256 byte tokens plus at least one merge)");
  // 1. Each distinct piece becomes a word of byte ids with its count. Sorting the pieces makes the
  //    word order (and so every step below) independent of the hash map's order.
  std::vector<const std::pair<const std::string, std::uint64_t>*> sorted;
  sorted.reserve(counts.counts().size());
  for (const auto& entry : counts.counts())
    if (entry.first.size() > 1) sorted.push_back(&entry);  // a one-byte piece has no pair
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  std::vector<std::vector<std::int32_t>> words(sorted.size());
  std::vector<std::uint64_t> freq(sorted.size());
  for (std::size_t w = 0; w < sorted.size(); ++w) {
    for (char c : sorted[w]->first) words[w].push_back(static_cast<unsigned char>(c));
    freq[w] = sorted[w]->second;
  }
  const auto key = [](std::int32_t a, std::int32_t b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
  };
  const auto left_of = [](std::uint64_t k) { return static_cast<std::int32_t>(k >> 32); };
  const auto right_of = [](std::uint64_t k) { return static_cast<std::int32_t>(k & 0xFFFFFFFFu); };

  // 2. Pair counts over all words, and which words hold each pair (an index that may list a word
  //    twice or after it lost the pair: both are checked when it is used).
  std::unordered_map<std::uint64_t, std::uint64_t> pair_count;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> where;
  for (std::size_t w = 0; w < words.size(); ++w)
    for (std::size_t j = 0; j + 1 < words[w].size(); ++j) {
      const std::uint64_t k = key(words[w][j], words[w][j + 1]);
      pair_count[k] += freq[w];
      where[k].push_back(static_cast<std::uint32_t>(w));
    }
  struct Entry {
    std::uint64_t count, pair;
    // The heap's top is the largest count, then the smallest (left, right): the tie rule.
    bool operator<(const Entry& o) const { return count != o.count ? count < o.count : pair > o.pair; }
  };
  std::priority_queue<Entry> heap;
  for (const auto& [k, c] : pair_count) heap.push({c, k});

  // 3. Merge until the vocabulary is full; an entry whose count changed since it was pushed is
  //    stale and skipped (the current count was pushed again when it changed).
  std::vector<BpeMerge> merges;
  BpeTrainResult result;
  std::vector<std::uint64_t> changed;
  while (256 + merges.size() < vocab_size) {
    if (heap.empty()) {
      result.stopped_early = true;
      break;
    }
    const Entry top = heap.top();
    heap.pop();
    const auto it = pair_count.find(top.pair);
    if (it == pair_count.end() || it->second != top.count) continue;
    if (top.count < 2) {
      result.stopped_early = true;
      break;
    }
    const std::int32_t a = left_of(top.pair), b = right_of(top.pair);
    const auto made = static_cast<std::int32_t>(256 + merges.size());
    merges.push_back({a, b, made});
    std::vector<std::uint32_t> holders = std::move(where[top.pair]);
    where.erase(top.pair);
    std::sort(holders.begin(), holders.end());
    holders.erase(std::unique(holders.begin(), holders.end()), holders.end());
    changed.clear();
    for (std::uint32_t w : holders) {
      std::vector<std::int32_t>& word = words[w];
      const std::uint64_t c = freq[w];
      bool holds = false;
      for (std::size_t j = 0; j + 1 < word.size() && !holds; ++j) holds = word[j] == a && word[j + 1] == b;
      if (!holds) continue;
      // Take the word's pairs out, merge every occurrence left to right, put its pairs back.
      for (std::size_t j = 0; j + 1 < word.size(); ++j) {
        const std::uint64_t k = key(word[j], word[j + 1]);
        pair_count[k] -= c;
        changed.push_back(k);
      }
      std::size_t out = 0;
      for (std::size_t j = 0; j < word.size();) {
        if (j + 1 < word.size() && word[j] == a && word[j + 1] == b) {
          word[out++] = made;
          j += 2;
        } else {
          word[out++] = word[j++];
        }
      }
      word.resize(out);
      for (std::size_t j = 0; j + 1 < word.size(); ++j) {
        const std::uint64_t k = key(word[j], word[j + 1]);
        pair_count[k] += c;
        changed.push_back(k);
        if (word[j] == made || word[j + 1] == made) where[k].push_back(w);
      }
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (std::uint64_t k : changed) {
      const auto pc = pair_count.find(k);
      if (pc->second == 0) {
        pair_count.erase(pc);
      } else {
        heap.push({pc->second, k});
      }
    }
  }
  result.bpe = Bpe::from_merges(merges);
  return result;
}

}  // namespace attn
