// The text task: random windows of corpus files, read with pread and encoded by the task's BPE.
#include "engine/train/text_task.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/file_io.hpp"
#include "engine/model/transformer.hpp"
#include "engine/rng.hpp"
#include "engine/text/token_text.hpp"
#include "engine/text/utf8.hpp"

namespace attn {

namespace {

constexpr std::size_t kCheckBytes = 1 << 20;  // check_text_file reads this much

// Reads up to n bytes at offset; throws FileError naming the file.
std::string read_at(int fd, const std::string& path, std::uint64_t offset, std::size_t n) {
  std::string buf(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, buf.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw FileError("corpus " + path + ": " + std::strerror(errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  buf.resize(got);
  return buf;
}

std::shared_ptr<const int> open_fd(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw FileError("corpus " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw FileError("corpus " + path + ": it is " + file_kind_name(st.st_mode) + ", not a file");
  }
  return std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

std::uint64_t file_size(int fd) {
  struct stat st {};
  ::fstat(fd, &st);
  return static_cast<std::uint64_t>(st.st_size);
}

// The last line break in [begin, end) of the file, or `end` when the last 1 MiB has none.
std::uint64_t line_break_before(int fd, const std::string& path, std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t from = end - std::min<std::uint64_t>(end - begin, kCheckBytes);
  const std::string tail = read_at(fd, path, from, static_cast<std::size_t>(end - from));
  const std::size_t nl = tail.rfind('\n');
  return nl == std::string::npos ? end : from + nl + 1;
}

std::uint64_t total(const std::vector<CorpusRange>& ranges) {
  std::uint64_t n = 0;
  for (const CorpusRange& r : ranges) n += r.end - r.begin;
  return n;
}

// Where a block may be cut so the pre-split gives the same pieces as for the whole text: after a
// line break followed by a character that is not whitespace.
std::size_t safe_cut(const std::string& buf) {
  for (std::size_t i = buf.size(); i-- > 1;)
    if (buf[i - 1] == '\n' && !std::isspace(static_cast<unsigned char>(buf[i]))) return i;
  return 0;
}

}  // namespace

void check_text_file(const std::string& path) {
  const ReadableFile file(path, "corpus " + path);  // a regular file, checked before and after opening
  if (file.size() == 0) throw FileError("corpus " + path + ": it is empty; the corpus must hold text");
  const std::string head = read_at(file.fd(), path, 0, kCheckBytes);
  const auto fail = [&](const std::string& why) { throw FileError("corpus " + path + ": " + why); };
  if (const std::size_t nul = head.find('\0'); nul != std::string::npos)
    fail("it looks binary (a NUL byte at offset " + std::to_string(nul) + "); the corpus must be UTF-8 text");
  for (std::size_t i = 0; i < head.size();) {
    const Utf8Char c = decode_utf8(head, i);
    // A character cut by the end of the block read is not an error.
    if (!c.valid && (head.size() - i >= 4 || head.size() == file.size())) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(head[i])));
      fail(std::string("it is not UTF-8 text (byte ") + hex + " at offset " + std::to_string(i) +
           "); convert it first, e.g. iconv -f latin1 -t utf-8");
    }
    i += c.len;
  }
}

TextTask::TextTask(Bpe tokenizer, const TextTaskOptions& options)
    : Task(bpe_vocab_words(tokenizer)), m_bpe(std::move(tokenizer)), m_repeat_fraction(options.repeat_fraction) {
  if (!(options.repeat_fraction >= 0.0 && options.repeat_fraction <= 1.0))
    throw std::invalid_argument("the repeat fraction (" + std::to_string(options.repeat_fraction) +
                                ") must be between 0 and 1");
  if (options.train_files.empty()) throw std::invalid_argument("the text task needs at least one corpus file");
  for (const std::string& path : options.train_files) {
    check_text_file(path);
    const std::shared_ptr<const int> fd = open_fd(path);
    const std::uint64_t size = file_size(*fd);
    if (!options.heldout_files.empty()) {
      m_train.push_back({fd, path, 0, size});
      continue;
    }
    // 2. No held-out file: the last 2% of this one, from a line break, is held out.
    const std::uint64_t cut = line_break_before(*fd, path, 0, size - size / 50);
    m_train.push_back({fd, path, 0, cut});
    m_heldout.push_back({fd, path, cut, size});
  }
  for (const std::string& path : options.heldout_files) {
    check_text_file(path);
    const std::shared_ptr<const int> fd = open_fd(path);
    m_heldout.push_back({fd, path, 0, file_size(*fd)});
  }
  m_train_bytes = total(m_train);
  m_heldout_bytes = total(m_heldout);
  const auto too_small = [&](const char* part, std::uint64_t bytes, const std::vector<CorpusRange>& ranges) {
    std::string names;
    for (const CorpusRange& r : ranges) names += (names.empty() ? "" : ", ") + r.path;
    throw std::invalid_argument("the corpus's " + std::string(part) + " part (" + names + ") has " +
                                std::to_string(bytes) + " bytes; the text task needs at least " +
                                std::to_string(kMinTextCorpusBytes));
  };
  if (m_train_bytes < kMinTextCorpusBytes) too_small("training", m_train_bytes, m_train);
  if (m_heldout_bytes < kMinTextCorpusBytes) too_small("held-out", m_heldout_bytes, m_heldout);
}

std::string TextTask::example() const { return kTextTaskExample; }

std::size_t TextTask::token_bytes(std::int32_t id) const { return m_bpe.token_bytes(id).size(); }

void TextTask::read_tokens(std::uint64_t& rng, bool held_out, std::size_t n, std::vector<std::int32_t>& out) const {
  const std::vector<CorpusRange>& ranges = held_out ? m_heldout : m_train;
  const std::uint64_t bytes = held_out ? m_heldout_bytes : m_train_bytes;
  // 1. A byte offset uniform over the part, so each file counts by its size.
  std::uint64_t at = detail::splitmix64(rng) % bytes;
  std::size_t r = 0;
  while (at >= ranges[r].end - ranges[r].begin) at -= ranges[r].end - ranges[r].begin, ++r;
  // 2. Read on from there (around to the part's start when it ends first) until n tokens are
  //    made; the first piece is skipped, since the offset usually falls inside a word.
  out.clear();
  std::size_t want = n * 8 + 64;  // bytes: English BPE tokens average about 4
  bool first = true;
  std::uint64_t offset = ranges[r].begin + at;
  while (out.size() < n) {
    const CorpusRange& range = ranges[r];
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(want, range.end - offset));
    std::string text = read_at(*range.fd, range.path, offset, take);
    if (text.empty()) {
      r = (r + 1) % ranges.size();
      offset = ranges[r].begin;
      continue;
    }
    offset += text.size();
    std::size_t start = 0;
    if (first) {
      const std::size_t space = text.find_first_of(" \n");
      start = space == std::string::npos ? 0 : space;
      first = false;
    }
    // Pieces are encoded whole; a piece cut by the block's end is read again next time.
    const std::size_t cut = offset < range.end ? text.find_last_of(" \n") : text.size();
    const std::size_t end = cut == std::string::npos || cut <= start ? text.size() : cut;
    offset -= text.size() - end;
    const std::vector<std::int32_t> ids = m_bpe.encode(std::string_view(text).substr(start, end - start));
    out.insert(out.end(), ids.begin(), ids.end());
    if (offset >= range.end) {
      r = (r + 1) % ranges.size();
      offset = ranges[r].begin;
    }
    want = std::min<std::size_t>(want * 2, kCheckBytes);
  }
  out.resize(n);
}

void TextTask::generate(std::uint64_t& rng, int max_len, bool held_out, Sequence& s) const {
  const std::size_t T = static_cast<std::size_t>(max_len);
  std::vector<std::int32_t> tokens;
  const bool repeated = held_out ? (m_heldout_count++ % 4 == 3)
                                 : m_repeat_fraction > 0.0 && detail::uniform_open(rng) < m_repeat_fraction;
  if (!repeated) {
    // Plain text: T tokens, each predicting the next (T + 1 read).
    read_tokens(rng, held_out, T + 1, tokens);
    s.ids.assign(tokens.begin(), tokens.end() - 1);
    s.targets.assign(tokens.begin() + 1, tokens.end());
    if (held_out) {
      // Duplicate-token cells: each token to its latest earlier copy.
      std::unordered_map<std::int32_t, int> last;
      for (int i = 0; i < max_len; ++i) {
        const auto it = last.find(s.ids[static_cast<std::size_t>(i)]);
        if (it != last.end()) s.cells[static_cast<int>(Detector::DuplicateToken)].push_back({i, it->second});
        last[s.ids[static_cast<std::size_t>(i)]] = i;
      }
    }
    return;
  }
  // A span twice, then the text goes on: A A B with A of L tokens, L drawn from [T/8, T/2] for
  // each sequence, so that no fixed offset finds the earlier copy (a head must look for it), and
  // B the text that followed A, to fill T.
  const std::size_t lo = std::max<std::size_t>(2, T / 8), hi = std::max(lo, T / 2);
  const std::size_t L = lo + static_cast<std::size_t>(detail::splitmix64(rng) % (hi - lo + 1));
  read_tokens(rng, held_out, T - L + 1, tokens);
  s.ids.assign(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(L));
  s.ids.insert(s.ids.end(), tokens.begin(), tokens.end() - 1);
  s.targets.assign(s.ids.size(), -1);
  if (!held_out) {
    for (std::size_t i = 0; i + 1 < s.ids.size(); ++i) s.targets[i] = s.ids[i + 1];
    s.targets.back() = tokens.back();
  }
  // Induction cells: the second copy of A[j] (at L + j) to the token after its first copy (j + 1).
  if (held_out)
    for (std::size_t j = 0; j + 1 < L; ++j)
      s.cells[static_cast<int>(Detector::Induction)].push_back({static_cast<int>(L + j), static_cast<int>(j + 1)});
}

TextTask::Baselines TextTask::baselines(const std::vector<Sequence>& seqs) const {
  // 1. Counts over the training text, read in 1 MiB blocks cut where the pre-split cuts.
  const std::size_t V = m_bpe.vocab_size();
  std::vector<std::uint64_t> unigram(V, 0);
  std::unordered_map<std::uint64_t, std::uint32_t> bigram;
  std::uint64_t read = 0, tokens = 0;
  std::int32_t prev = -1;
  for (const CorpusRange& range : m_train) {
    std::string carry;
    for (std::uint64_t offset = range.begin; offset < range.end && read < kBaselineCountBytes;) {
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(kCheckBytes, range.end - offset));
      carry += read_at(*range.fd, range.path, offset, take);
      offset += take;
      read += take;
      const std::size_t cut = offset < range.end && read < kBaselineCountBytes ? safe_cut(carry) : carry.size();
      for (const std::int32_t id : m_bpe.encode(std::string_view(carry).substr(0, cut))) {
        ++unigram[static_cast<std::size_t>(id)];
        if (prev >= 0) ++bigram[(static_cast<std::uint64_t>(prev) << 32) | static_cast<std::uint32_t>(id)];
        prev = id;
        ++tokens;
      }
      carry.erase(0, cut);
    }
  }
  std::vector<std::uint64_t> context(V, 0);  // c(a): how often a is followed by something
  for (const auto& [key, n] : bigram) context[static_cast<std::size_t>(key >> 32)] += n;
  // 2. Bits per byte over the counted positions.
  const double unigram_total = static_cast<double>(tokens + V);
  const auto p_unigram = [&](std::int32_t b) {  // add-one smoothing: an unseen token still has a chance
    return (static_cast<double>(unigram[static_cast<std::size_t>(b)]) + 1.0) / unigram_total;
  };
  struct Pair {
    std::int32_t a, b;
  };
  std::vector<Pair> pairs;
  double bytes = 0.0;
  for (const Sequence& s : seqs)
    for (std::size_t t = 0; t < s.targets.size(); ++t)
      if (s.targets[t] >= 0) {
        pairs.push_back({s.ids[t], s.targets[t]});
        bytes += static_cast<double>(token_bytes(s.targets[t]));
      }
  Baselines out;
  out.counted_tokens = tokens;
  if (pairs.empty() || bytes == 0.0) return out;
  double uni_bits = 0.0;
  for (const Pair& p : pairs) uni_bits -= std::log2(p_unigram(p.b));
  out.unigram_bpb = uni_bits / bytes;
  out.bigram_bpb = out.unigram_bpb;
  for (const double w : {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98}) {
    double bits = 0.0;
    for (const Pair& p : pairs) {
      const double c_a = static_cast<double>(context[static_cast<std::size_t>(p.a)]);
      double p_pair = 0.0;
      if (c_a > 0.0) {
        const auto it = bigram.find((static_cast<std::uint64_t>(p.a) << 32) | static_cast<std::uint32_t>(p.b));
        p_pair = it == bigram.end() ? 0.0 : static_cast<double>(it->second) / c_a;
      }
      const double prob = c_a > 0.0 ? w * p_pair + (1.0 - w) * p_unigram(p.b) : p_unigram(p.b);
      bits -= std::log2(prob);
    }
    if (bits / bytes < out.bigram_bpb || out.bigram_weight == 0.0) {
      out.bigram_bpb = bits / bytes;
      out.bigram_weight = w;
    }
  }
  return out;
}

namespace {
TextTaskOptions& default_corpus_storage() {
  static TextTaskOptions options;
  return options;
}
}  // namespace

void set_default_corpus(const TextTaskOptions& options) { default_corpus_storage() = options; }
const TextTaskOptions& default_corpus() { return default_corpus_storage(); }

std::vector<std::string> bpe_vocab_words(const Bpe& bpe) {
  std::vector<std::string> words;
  std::unordered_set<std::string> seen;
  for (std::size_t id = 0; id < bpe.vocab_size(); ++id) {
    std::string w = token_text(bpe.token_bytes(static_cast<std::int32_t>(id)));
    if (!seen.insert(w).second) {
      w += "#" + std::to_string(id);
      seen.insert(w);
    }
    words.push_back(std::move(w));
  }
  return words;
}

double repeated_list_copying(const Model& model, const Bpe& bpe, int words, std::uint64_t seed) {
  // 1. Candidate words: tokens that are a space and three or more lower-case letters.
  std::vector<std::int32_t> candidates;
  for (std::size_t id = 0; id < bpe.vocab_size() && static_cast<int>(id) < model.arch.vocab_size; ++id) {
    const std::string& b = bpe.token_bytes(static_cast<std::int32_t>(id));
    if (b.size() >= 4 && b[0] == ' ' &&
        std::all_of(b.begin() + 1, b.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
      candidates.push_back(static_cast<std::int32_t>(id));
  }
  words = std::min({words, model.arch.max_seq_len / 2, static_cast<int>(candidates.size())});
  if (words < 2) return 0.0;
  // 2. A list of distinct words, then the same list again.
  std::uint64_t rng = detail::mix(seed, 0xC0B1ull);
  for (int i = 0; i < words; ++i) {
    const std::size_t j =
        static_cast<std::size_t>(i) +
        static_cast<std::size_t>(detail::splitmix64(rng) % (candidates.size() - static_cast<std::size_t>(i)));
    std::swap(candidates[static_cast<std::size_t>(i)], candidates[j]);
  }
  std::vector<std::int32_t> ids(candidates.begin(), candidates.begin() + words);
  ids.insert(ids.end(), candidates.begin(), candidates.begin() + words);
  // 3. In the second copy, position words + j predicts list[j + 1].
  Activations acts;
  const int T = 2 * words;
  model_forward(model, ids.data(), 1, T, acts);
  const std::size_t V = static_cast<std::size_t>(model.arch.vocab_size);
  int right = 0;
  for (int j = 0; j + 1 < words; ++j) {
    const float* row = acts.logits.data() + static_cast<std::size_t>(words + j) * V;
    const auto guess = static_cast<std::int32_t>(std::max_element(row, row + V) - row);
    right += guess == ids[static_cast<std::size_t>(j + 1)];
  }
  return static_cast<double>(right) / static_cast<double>(words - 1);
}

}  // namespace attn
