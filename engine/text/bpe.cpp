// Byte-level BPE: loading GPT-2's and attnlab's files with every problem named, and encoding with
// a short path (encoder.py's loop) and a long path (a heap over the pairs, tiktoken's idea) that
// give the same ids.
#include "engine/text/bpe.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <queue>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/file_io.hpp"
#include "engine/text/pre_split.hpp"
#include "engine/text/utf8.hpp"

namespace attn {

namespace {

using Json = nlohmann::json;

// Pieces up to this many bytes take encoder.py's loop (quadratic, but short pieces are most of
// any text); longer ones take the heap, which is O(n log n).
constexpr std::size_t kShortPiece = 64;
// encode() remembers the ids of pieces up to this long, and at most this many of them.
constexpr std::size_t kCachePieceBytes = 64;
constexpr std::size_t kCacheEntries = 1u << 18;

struct ByteChars {
  char32_t of_byte[256];
  int byte_of[512];  // the byte a character stands for, or -1 (every character is below U+0200)
};

const ByteChars& byte_chars() {
  static const ByteChars table = [] {
    ByteChars t{};
    std::fill(std::begin(t.byte_of), std::end(t.byte_of), -1);
    const auto printable = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    char32_t shifted = 256;
    for (int b = 0; b < 256; ++b) {
      const char32_t c = printable(b) ? static_cast<char32_t>(b) : shifted++;
      t.of_byte[b] = c;
      t.byte_of[c] = b;
    }
    return t;
  }();
  return table;
}

std::string hex_byte(unsigned char b) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", b);
  return text;
}

// A GPT-2 token string ("Ġthe") as the bytes it stands for (" the"). Returns false, with the
// offending character in bad_char, when the string holds a character outside GPT-2's 256.
bool token_string_bytes(std::string_view s, std::string& bytes, std::string& bad_char) {
  bytes.clear();
  const ByteChars& t = byte_chars();
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Char c = decode_utf8(s, i);
    if (!c.valid || c.cp >= 512 || t.byte_of[c.cp] < 0) {
      bad_char = c.valid ? std::string(s.substr(i, c.len)) : "byte " + hex_byte(static_cast<unsigned char>(s[i]));
      return false;
    }
    bytes += static_cast<char>(t.byte_of[c.cp]);
    i += c.len;
  }
  return true;
}

std::string shown(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out(s.substr(0, kMax));
  return "'" + out + (s.size() > kMax ? "...'" : "'");
}

}  // namespace

char32_t gpt2_byte_char(unsigned char byte) { return byte_chars().of_byte[byte]; }

std::string gpt2_token_bytes(std::string_view vocab_entry) {
  std::string bytes, bad_char;
  return token_string_bytes(vocab_entry, bytes, bad_char) ? bytes : std::string(vocab_entry);
}

namespace {
struct Gpt2Slot {
  std::mutex mutex;
  std::string folder;
  std::unique_ptr<const Bpe> bpe;
};
Gpt2Slot& gpt2_slot() {
  static Gpt2Slot slot;
  return slot;
}
}  // namespace

void set_gpt2_folder(const std::string& folder) {
  Gpt2Slot& slot = gpt2_slot();
  const std::lock_guard<std::mutex> lock(slot.mutex);
  if (slot.folder != folder) slot.bpe.reset();
  slot.folder = folder;
}

const Bpe& gpt2_tokenizer() {
  Gpt2Slot& slot = gpt2_slot();
  const std::lock_guard<std::mutex> lock(slot.mutex);
  if (!slot.bpe) {
    if (slot.folder.empty()) throw FileError("GPT-2's tokenizer: no folder was set for its vocab.json and merges.txt");
    slot.bpe = std::make_unique<const Bpe>(load_bpe(slot.folder));
  }
  return *slot.bpe;
}

Bpe load_bpe(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw FileError("cannot read tokenizer " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    const std::string dir = path.back() == '/' ? path : path + "/";
    return Bpe::from_gpt2_files(dir + "vocab.json", dir + "merges.txt");
  }
  return Bpe::from_json_file(path);
}

void Bpe::index_merges() {
  m_rank.clear();
  m_rank.reserve(m_merges.size() * 2);
  for (std::size_t r = 0; r < m_merges.size(); ++r)
    m_rank.emplace(key(m_merges[r].left, m_merges[r].right), Rank{static_cast<std::int32_t>(r), m_merges[r].result});
}

const Bpe::Rank* Bpe::rank_of(std::int32_t a, std::int32_t b) const {
  const auto it = m_rank.find(key(a, b));
  return it == m_rank.end() ? nullptr : &it->second;
}

Bpe Bpe::from_gpt2_files(const std::string& vocab_path, const std::string& merges_path) {
  const std::string vocab = read_file(vocab_path, kMaxTokenizerFileBytes);  // vocab.json's problems first
  return from_gpt2_bytes(vocab, read_file(merges_path, kMaxTokenizerFileBytes), vocab_path, merges_path);
}

Bpe Bpe::from_gpt2_bytes(const std::string& vocab_json, const std::string& merges_txt, const std::string& vocab_name,
                         const std::string& merges_name) {
  const auto vfail = [&](const std::string& why) { throw FileError(vocab_name + ": " + why); };
  const auto mfail = [&](std::size_t line, const std::string& why) {
    throw FileError(merges_name + ": line " + std::to_string(line) + ": " + why);
  };
  Bpe bpe;
  // 1. vocab.json: one object of token -> id. nlohmann keeps the last of two equal keys, so the
  //    parser's callback sees every key and refuses a repeat.
  Json vocab;
  {
    std::set<std::string> keys;
    std::string repeated;
    try {
      vocab = Json::parse(vocab_json, [&](int depth, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key && depth == 1 && !keys.insert(parsed.get<std::string>()).second &&
            repeated.empty())
          repeated = parsed.get<std::string>();
        return true;
      });
    } catch (const Json::exception& e) {
      vfail(std::string("not valid JSON (") + e.what() + ")" +
            (vocab_json.empty() ? ": the file is empty" : ", perhaps truncated"));
    }
    if (!repeated.empty()) vfail("the token " + shown(repeated) + " is listed twice");
  }
  if (!vocab.is_object()) vfail("must be one JSON object of token -> id, like GPT-2's vocab.json");
  if (vocab.empty()) vfail("holds no tokens");
  if (vocab.size() > kMaxBpeVocab)
    vfail("holds " + std::to_string(vocab.size()) + " tokens, more than the " + std::to_string(kMaxBpeVocab) +
          " attnlab reads");
  const std::size_t n = vocab.size();
  bpe.m_tokens.assign(n, std::string());
  std::vector<char> seen(n, 0);
  std::string bytes, bad;
  for (const auto& [token, value] : vocab.items()) {
    if (!value.is_number_integer() && !value.is_number_unsigned())
      vfail("the id of " + shown(token) + " must be a whole number, not " + value.dump());
    const long long id =
        value.is_number_unsigned() && value.get<unsigned long long>() > (1ull << 62) ? -1 : value.get<long long>();
    if (id < 0 || static_cast<std::size_t>(id) >= n)
      vfail("the id of " + shown(token) + " (" + value.dump() + ") is outside 0.." + std::to_string(n - 1) +
            " (ids must number the tokens from 0 with none missing)");
    if (seen[static_cast<std::size_t>(id)])
      vfail("id " + std::to_string(id) + " is given to two tokens (" +
            shown(bpe.m_tokens[static_cast<std::size_t>(id)]) + " and " + shown(token) + ")");
    seen[static_cast<std::size_t>(id)] = 1;
    if (token.empty()) vfail("an empty token (id " + std::to_string(id) + ")");
    if (!token_string_bytes(token, bytes, bad))
      vfail("the token " + shown(token) + " holds " + shown(bad) + ", which is not one of GPT-2's 256 byte characters");
    bpe.m_tokens[static_cast<std::size_t>(id)] = bytes;
  }
  // Every id is used once and there are n of them, so none is missing. Two keys that spell the
  // same bytes would make the bytes -> id lookup ambiguous.
  bpe.m_ids.reserve(n * 2);
  for (std::size_t id = 0; id < n; ++id) {
    const auto [it, fresh] = bpe.m_ids.emplace(bpe.m_tokens[id], static_cast<std::int32_t>(id));
    if (!fresh) vfail("ids " + std::to_string(it->second) + " and " + std::to_string(id) + " are the same bytes");
  }
  for (int b = 0; b < 256; ++b) {
    const auto it = bpe.m_ids.find(std::string(1, static_cast<char>(b)));
    if (it == bpe.m_ids.end())
      vfail("no token for the byte " + hex_byte(static_cast<unsigned char>(b)) +
            ": a byte-level vocabulary needs all 256, or some text could not be encoded");
    bpe.m_byte_id[b] = it->second;
  }

  // 2. merges.txt: "#version: 0.2" (optional), then "left right" per line, rank = order.
  if (merges_txt.empty()) mfail(1, "the file is empty (GPT-2's begins with '#version: 0.2')");
  constexpr std::size_t kMaxLine = 64 * 1024;
  std::size_t line_no = 0, pos = 0;
  bool blank_seen = false;
  std::size_t blank_line = 0;
  std::set<std::uint64_t> pairs;
  while (pos < merges_txt.size()) {
    std::size_t eol = merges_txt.find('\n', pos);
    if (eol == std::string::npos) eol = merges_txt.size();
    std::string_view line(merges_txt.data() + pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.size() > kMaxLine)
      mfail(line_no, "the line is " + std::to_string(line.size()) + " bytes long; a merge line is two tokens");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // written on Windows
    if (line_no == 1 && line.substr(0, 8) == "#version") continue;
    if (line.empty()) {
      if (!blank_seen) blank_line = line_no;
      blank_seen = true;
      continue;
    }
    if (blank_seen) mfail(blank_line, "an empty line before more merges");
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos)
      mfail(line_no, "expected two tokens separated by one space, found " + shown(line));
    std::int32_t ids[2];
    const std::string_view parts[2] = {line.substr(0, space), line.substr(space + 1)};
    std::string joined;
    for (int k = 0; k < 2; ++k) {
      const auto it = vocab.find(std::string(parts[k]));
      if (it == vocab.end()) mfail(line_no, "the merge names " + shown(parts[k]) + ", which is not in " + vocab_name);
      ids[k] = it->get<std::int32_t>();
      joined += bpe.m_tokens[static_cast<std::size_t>(ids[k])];
    }
    const auto result = bpe.m_ids.find(joined);
    if (result == bpe.m_ids.end())
      mfail(line_no, "the merge makes " + shown(std::string(parts[0]) + std::string(parts[1])) + ", which is not in " +
                         vocab_name);
    if (!pairs.insert(key(ids[0], ids[1])).second) mfail(line_no, "the merge " + shown(line) + " is listed twice");
    bpe.m_merges.push_back({ids[0], ids[1], result->second});
  }
  if (bpe.m_merges.empty()) mfail(line_no, "no merges (the file ends after its header)");
  if (bpe.m_merges.size() >= n)
    mfail(line_no, std::to_string(bpe.m_merges.size()) + " merges for " + std::to_string(n) +
                       " tokens: each merge makes a token, so there must be fewer");
  bpe.index_merges();
  return bpe;
}

Bpe Bpe::from_merges(const std::vector<BpeMerge>& merges) {
  Bpe bpe;
  bpe.m_trained_format = true;
  for (int b = 0; b < 256; ++b) {
    bpe.m_tokens.emplace_back(1, static_cast<char>(b));
    bpe.m_byte_id[b] = b;
  }
  for (std::size_t i = 0; i < merges.size(); ++i) {
    const BpeMerge& m = merges[i];
    const auto next = static_cast<std::int32_t>(256 + i);
    if (m.left < 0 || m.right < 0 || m.left >= next || m.right >= next || m.result != next)
      throw std::invalid_argument("merge " + std::to_string(i) + " (" + std::to_string(m.left) + ", " +
                                  std::to_string(m.right) + ") must join two earlier tokens (ids below " +
                                  std::to_string(next) + ")");
    bpe.m_tokens.push_back(bpe.m_tokens[static_cast<std::size_t>(m.left)] +
                           bpe.m_tokens[static_cast<std::size_t>(m.right)]);
  }
  bpe.m_merges = merges;
  for (std::size_t id = 0; id < bpe.m_tokens.size(); ++id)
    bpe.m_ids.emplace(bpe.m_tokens[id], static_cast<std::int32_t>(id));  // first id of equal bytes
  bpe.index_merges();
  if (bpe.m_rank.size() != merges.size()) throw std::invalid_argument("a merge is listed twice");
  return bpe;
}

Bpe Bpe::from_json_file(const std::string& path) { return from_json(read_file(path, kMaxTokenizerFileBytes), path); }

Bpe Bpe::from_json(const std::string& text, const std::string& what) {
  const auto fail = [&](const std::string& why) -> void { throw FileError(what + ": " + why); };
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    fail(std::string("not valid JSON (") + e.what() + ")" +
         (text.empty() ? ": the file is empty" : ", perhaps truncated"));
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != "attnlab-bpe")
    fail(
        "not an attnlab BPE tokenizer (its \"format\" must be \"attnlab-bpe\"; GPT-2's files are vocab.json + "
        "merges.txt)");
  if (!j.contains("version") || j["version"] != 1) fail("\"version\" must be 1");
  if (!j.contains("pre_split") || j["pre_split"] != "gpt2") fail("\"pre_split\" must be \"gpt2\"");
  if (!j.contains("merges") || !j["merges"].is_array()) fail("\"merges\" must be a list of [left, right] id pairs");
  if (!j.contains("vocab_size") || !j["vocab_size"].is_number_integer()) fail("\"vocab_size\" must be a whole number");
  const Json& list = j["merges"];
  if (list.size() + 256 > kMaxBpeVocab) fail("more than " + std::to_string(kMaxBpeVocab) + " tokens");
  if (j["vocab_size"].get<long long>() != static_cast<long long>(list.size() + 256))
    fail("\"vocab_size\" is " + j["vocab_size"].dump() + " but 256 bytes and " + std::to_string(list.size()) +
         " merges make " + std::to_string(list.size() + 256) + " tokens (is the file truncated?)");
  std::vector<BpeMerge> merges;
  std::set<std::uint64_t> pairs;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& m = list[i];
    const long long next = 256 + static_cast<long long>(i);
    const auto id = [&](const Json& v) { return v.is_number_integer() ? v.get<long long>() : -1; };
    if (!m.is_array() || m.size() != 2 || id(m[0]) < 0 || id(m[1]) < 0 || id(m[0]) >= next || id(m[1]) >= next)
      fail("merge " + std::to_string(i) + " (" + m.dump() + ") must be [left, right], two ids below " +
           std::to_string(next) + " (the bytes and earlier merges)");
    const BpeMerge bm{static_cast<std::int32_t>(id(m[0])), static_cast<std::int32_t>(id(m[1])),
                      static_cast<std::int32_t>(next)};
    if (!pairs.insert(key(bm.left, bm.right)).second)
      fail("merge " + std::to_string(i) + " " + m.dump() + " is listed twice");
    merges.push_back(bm);
  }
  return from_merges(merges);
}

std::string Bpe::to_json() const {
  if (!m_trained_format) throw std::logic_error("to_json: only a trained (attnlab-bpe) tokenizer has this format");
  Json merges = Json::array();
  for (const BpeMerge& m : m_merges) merges.push_back({m.left, m.right});
  const Json j{{"format", "attnlab-bpe"},
               {"version", 1},
               {"pre_split", "gpt2"},
               {"vocab_size", m_tokens.size()},
               {"merges", std::move(merges)}};
  return j.dump() + "\n";
}

const std::string& Bpe::token_bytes(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= m_tokens.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                            std::to_string(m_tokens.size() - 1) + ")");
  return m_tokens[static_cast<std::size_t>(id)];
}

std::int32_t Bpe::id_of(std::string_view bytes) const {
  const auto it = m_ids.find(std::string(bytes));
  return it == m_ids.end() ? -1 : it->second;
}

std::string Bpe::decode(const std::vector<std::int32_t>& ids) const {
  std::string out;
  for (std::int32_t id : ids) out += token_bytes(id);
  return out;
}

std::vector<std::int32_t> Bpe::encode_piece_reference(std::string_view piece) const {
  // encoder.py's bpe(): find the lowest-ranked adjacent pair, merge every occurrence of it from
  // left to right, repeat until no adjacent pair has a rank.
  std::vector<std::int32_t> word;
  for (char c : piece) word.push_back(m_byte_id[static_cast<unsigned char>(c)]);
  while (word.size() > 1) {
    const Rank* best = nullptr;
    std::int32_t first = 0, second = 0;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      const Rank* r = rank_of(word[i], word[i + 1]);
      if (r && (!best || r->rank < best->rank)) {
        best = r;
        first = word[i];
        second = word[i + 1];
      }
    }
    if (!best) break;
    std::vector<std::int32_t> merged;
    for (std::size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(best->result);
        i += 2;
      } else {
        merged.push_back(word[i++]);
      }
    }
    word.swap(merged);
  }
  return word;
}

// The long path: every adjacent pair with a rank goes into a min-heap keyed by (rank, position);
// popping merges one occurrence and pushes the two new pairs it makes. Popping by position within
// a rank merges left to right, as encoder.py's round does, as long as no merge makes a pair of
// lower or equal rank than the one being merged (true of every file a trainer writes, GPT-2's
// included). Returns false when a file breaks that, and the caller takes the reference loop.
bool Bpe::merge_long(std::string_view piece, std::vector<std::int32_t>& out) const {
  const std::size_t n = piece.size();
  std::vector<std::int32_t> id(n);
  std::vector<std::int32_t> prev(n), next(n);  // -1 at the ends; a merged-away node is dead
  std::vector<char> alive(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    id[i] = m_byte_id[static_cast<unsigned char>(piece[i])];
    prev[i] = static_cast<std::int32_t>(i) - 1;
    next[i] = i + 1 < n ? static_cast<std::int32_t>(i + 1) : -1;
  }
  struct Entry {
    std::int32_t rank, pos, left, right;
    bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  const auto push = [&](std::int32_t pos) {
    const std::int32_t nx = next[static_cast<std::size_t>(pos)];
    if (nx < 0) return;
    if (const Rank* r = rank_of(id[static_cast<std::size_t>(pos)], id[static_cast<std::size_t>(nx)]))
      heap.push({r->rank, pos, id[static_cast<std::size_t>(pos)], id[static_cast<std::size_t>(nx)]});
  };
  for (std::size_t i = 0; i + 1 < n; ++i) push(static_cast<std::int32_t>(i));
  while (!heap.empty()) {
    const Entry e = heap.top();
    heap.pop();
    const auto p = static_cast<std::size_t>(e.pos);
    // Stale when either node was merged away or changed since the entry was pushed.
    if (!alive[p] || id[p] != e.left || next[p] < 0 || id[static_cast<std::size_t>(next[p])] != e.right) continue;
    const auto q = static_cast<std::size_t>(next[p]);
    id[p] = rank_of(e.left, e.right)->result;
    alive[q] = 0;
    next[p] = next[q];
    if (next[q] >= 0) prev[static_cast<std::size_t>(next[q])] = e.pos;
    const auto check_and_push = [&](std::int32_t pos) {
      if (pos < 0) return true;
      const std::int32_t nx = next[static_cast<std::size_t>(pos)];
      if (nx < 0) return true;
      const Rank* r = rank_of(id[static_cast<std::size_t>(pos)], id[static_cast<std::size_t>(nx)]);
      if (r && r->rank <= e.rank) return false;
      push(pos);
      return true;
    };
    if (!check_and_push(prev[p]) || !check_and_push(e.pos)) return false;
  }
  for (std::int32_t i = 0; i >= 0; i = next[static_cast<std::size_t>(i)])
    out.push_back(id[static_cast<std::size_t>(i)]);
  return true;
}

void Bpe::encode_piece(std::string_view piece, std::vector<std::int32_t>& out) const {
  if (piece.empty()) return;
  if (piece.size() == 1) {
    out.push_back(m_byte_id[static_cast<unsigned char>(piece[0])]);
    return;
  }
  if (piece.size() > kShortPiece) {
    const std::size_t before = out.size();
    if (merge_long(piece, out)) return;
    out.resize(before);
  }
  const std::vector<std::int32_t> ids = encode_piece_reference(piece);
  out.insert(out.end(), ids.begin(), ids.end());
}

std::vector<std::int32_t> Bpe::encode(std::string_view text) const {
  std::vector<std::int32_t> out;
  out.reserve(text.size() / 3);
  // Words repeat, so the ids of short pieces are remembered for this call (a per-call cache
  // keeps encode() const and safe to call from several threads at once).
  struct Span {
    std::uint32_t begin, count;
  };
  std::unordered_map<std::string_view, Span> cache;
  std::vector<std::int32_t> cached_ids;
  pre_split(text, [&](std::string_view piece) {
    if (piece.size() == 1) {
      out.push_back(m_byte_id[static_cast<unsigned char>(piece[0])]);
      return;
    }
    if (piece.size() > kCachePieceBytes) {
      encode_piece(piece, out);
      return;
    }
    if (const auto it = cache.find(piece); it != cache.end()) {
      out.insert(out.end(), cached_ids.begin() + it->second.begin,
                 cached_ids.begin() + it->second.begin + it->second.count);
      return;
    }
    const std::size_t before = out.size();
    encode_piece(piece, out);
    if (cache.size() >= kCacheEntries) {
      cache.clear();
      cached_ids.clear();
    }
    cache.emplace(piece,
                  Span{static_cast<std::uint32_t>(cached_ids.size()), static_cast<std::uint32_t>(out.size() - before)});
    cached_ids.insert(cached_ids.end(), out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
  });
  return out;
}

}  // namespace attn
