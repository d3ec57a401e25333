// Byte-level BPE (GPT-2's tokenizer): the text is pre-split (pre_split.hpp), each piece starts as
// its bytes and the adjacent pair with the lowest merge rank is merged until none is left. Reads
// GPT-2's vocab.json + merges.txt (exact ids) and attnlab's own trained BPE.json; every byte
// string encodes, and decode(encode(s)) == s for any bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attn {

// The largest vocabulary a tokenizer file may hold (GPT-2 has 50,257; Llama 3 128,256).
inline constexpr std::size_t kMaxBpeVocab = 1u << 20;
// The largest vocab.json / merges.txt / BPE.json read (GPT-2's are 1.0 and 0.45 MB).
inline constexpr std::uint64_t kMaxTokenizerFileBytes = 64ull * 1024 * 1024;

struct BpeMerge {
  std::int32_t left = 0, right = 0;  // the pair of token ids that is merged
  std::int32_t result = 0;           // the token id of their concatenated bytes
};

class Bpe {
 public:
  // GPT-2's files: vocab.json maps each token (bytes written with GPT-2's byte-to-character
  // table, "Ġthe" = " the") to its id; merges.txt lists one merge "Ġ t" per line, rank = line
  // order, after an optional "#version" line. Throws FileError naming the file and what is wrong:
  // not JSON, truncated, a duplicate or missing id, a duplicate token, a missing byte token, a
  // character outside GPT-2's 256, a merge line that is not two tokens, names an unknown token,
  // makes a token vocab.json lacks or repeats an earlier line; a folder, FIFO or oversize file.
  static Bpe from_gpt2_files(const std::string& vocab_path, const std::string& merges_path);
  // The same from the files' bytes; the names are used in messages only.
  static Bpe from_gpt2_bytes(const std::string& vocab_json, const std::string& merges_txt,
                             const std::string& vocab_name, const std::string& merges_name);

  // attnlab's trained format (BPE.json): {"format":"attnlab-bpe","version":1,"pre_split":"gpt2",
  // "merges":[[left,right],...]}; ids 0..255 are the bytes 0..255 and merge i makes id 256+i.
  static Bpe from_merges(const std::vector<BpeMerge>& merges_of_ids);  // results must be 256+i
  static Bpe from_json_file(const std::string& path);
  static Bpe from_json(const std::string& json, const std::string& what);  // throws FileError
  std::string to_json() const;  // only for a tokenizer made by from_merges / train_bpe
  bool is_trained_format() const { return m_trained_format; }

  // text -> ids, GPT-2's algorithm (encoder.py) exactly. Never throws for any bytes.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // The tokens of one pre-split piece, appended to out.
  void encode_piece(std::string_view piece, std::vector<std::int32_t>& out) const;
  // The slow, readable version of encode_piece (encoder.py's loop, merging every occurrence of
  // the lowest-ranked pair per round); the tests compare it with the fast one.
  std::vector<std::int32_t> encode_piece_reference(std::string_view piece) const;
  // ids -> bytes. Throws std::out_of_range naming an id outside the vocabulary.
  std::string decode(const std::vector<std::int32_t>& ids) const;

  std::size_t vocab_size() const { return m_tokens.size(); }
  std::size_t n_merges() const { return m_merges.size(); }
  const std::vector<BpeMerge>& merges() const { return m_merges; }
  // A token's bytes; throws std::out_of_range for an id outside the vocabulary.
  const std::string& token_bytes(std::int32_t id) const;
  // The id of a token given by its bytes, or -1.
  std::int32_t id_of(std::string_view bytes) const;

 private:
  struct Rank {
    std::int32_t rank, result;
  };
  static std::uint64_t key(std::int32_t a, std::int32_t b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
  }
  const Rank* rank_of(std::int32_t a, std::int32_t b) const;
  void index_merges();
  bool merge_long(std::string_view piece, std::vector<std::int32_t>& out) const;

  std::vector<std::string> m_tokens;                    // (vocab_size) bytes of each id
  std::unordered_map<std::string, std::int32_t> m_ids;  // bytes -> id
  std::int32_t m_byte_id[256] = {};                     // the id of each single byte
  std::vector<BpeMerge> m_merges;                       // rank = index
  std::unordered_map<std::uint64_t, Rank> m_rank;       // (left, right) -> rank and result
  bool m_trained_format = false;
};

// A tokenizer from a path: a folder holding vocab.json + merges.txt (GPT-2's, or a Hugging Face
// model folder) or an attnlab BPE.json file. Throws FileError naming the path and the problem.
Bpe load_bpe(const std::string& path);

// GPT-2's tokenizer for the explorer's gpt2 mode, read once from the folder set_gpt2_folder()
// named (the app names its data folder's tokenizers/gpt2 at start, so the engine knows no data
// folder). gpt2_tokenizer() is thread-safe; set_gpt2_folder() belongs before any use (naming
// another folder drops the tokenizer a caller may still hold). Throws FileError naming the
// folder when none was set or its files cannot be read; a failed read is tried again next call.
void set_gpt2_folder(const std::string& folder);
const Bpe& gpt2_tokenizer();

// GPT-2's byte-to-character table (bytes_to_unicode in encoder.py): printable bytes stand for
// themselves, the others are shifted to U+0100.. so that every token is printable text.
char32_t gpt2_byte_char(unsigned char byte);

// The bytes a GPT-2 vocabulary entry stands for: gpt2_byte_char undone ("Ġthe" -> " the"); an
// entry that is not byte-level (<|endoftext|>) comes back as it is. People read the result
// through attn::token_text (engine/text/token_text.hpp).
std::string gpt2_token_bytes(std::string_view vocab_entry);

}  // namespace attn
