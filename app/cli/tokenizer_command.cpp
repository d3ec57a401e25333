// `attnlab tokenizer encode | decode | train | bench`: byte-level BPE from the command line, with
// every token shown as people read it (engine/text/token_text.hpp).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/data_dir.hpp"
#include "engine/file_io.hpp"
#include "engine/text/bpe.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/text/token_text.hpp"

namespace app::cli {

namespace {

const char* const kTokenizerHelp =
    "Usage:\n"
    "  attnlab tokenizer encode --tokenizer TOK (--text T | --file F)\n"
    "  attnlab tokenizer decode --tokenizer TOK --ids 1,2,3\n"
    "  attnlab tokenizer train  --corpus FILE... --vocab N --out BPE.json\n"
    "  attnlab tokenizer bench  --corpus FILE... [--merges M]\n\n"
    "Byte-level BPE, exact to GPT-2 for GPT-2's files and trainable on any text.\n\n"
    "  --tokenizer TOK   gpt2 (the bundled GPT-2 vocab.json + merges.txt), a folder holding\n"
    "                    vocab.json + merges.txt, or a BPE.json written by tokenizer train\n"
    "  --text T          the text to encode; --file F encodes a file's bytes instead\n"
    "  --ids L           comma-separated token ids to decode (the bytes are written to stdout)\n"
    "  --corpus FILE...  text files to learn from, streamed (one or more; the flag may repeat)\n"
    "  --vocab N         the vocabulary size to learn: 256 byte tokens + N-256 merges (257-1048576)\n"
    "  --out BPE.json    where train writes the tokenizer\n"
    "  --merges M        bench: merges to learn (default 8000)\n\n"
    "encode prints two lines: the ids, and the tokens as people read them (a space is U+2423 '\u2423',\n"
    "a newline '\u21B5', a tab '\u21E5', a byte that is not a whole UTF-8 character <0xE2>), each\n"
    "separated by one space. Training merges the most frequent adjacent pair each step; ties go to\n"
    "the smallest (left id, right id), so the result is the same on every run.\n\n"
    "Exit codes: 0 success, 1 a file cannot be read or is not a tokenizer or corpus, 2 bad arguments.\n";

attn::Bpe tokenizer_of(const std::string& spec) {
  if (spec == "gpt2") return attn::load_bpe(data_dir().path + "/tokenizers/gpt2");
  return attn::load_bpe(spec);
}

// The values after a flag that takes several (--corpus a.txt b.txt), up to the next flag.
void take_many(ArgCursor& cur, std::string_view flag, std::vector<std::string>& into) {
  const std::size_t before = into.size();
  while (!cur.done() && cur.peek().rfind("--", 0) != 0) into.push_back(cur.next_flag());
  if (into.size() == before) throw UsageError(std::string(flag) + " needs at least one file");
}

std::string mb(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int encode(ArgCursor& cur) {
  std::string spec, text;
  bool have_text = false;
  while (!cur.done()) {
    const std::string flag = cur.next_flag();
    if (flag == "--tokenizer") {
      spec = cur.value(flag);
    } else if (flag == "--text") {
      text = cur.value(flag);
      have_text = true;
    } else if (flag == "--file") {
      text = attn::read_file(cur.value(flag), 256ull * 1024 * 1024);
      have_text = true;
    } else {
      throw UsageError("unknown flag '" + flag + "' for tokenizer encode");
    }
  }
  if (spec.empty()) throw UsageError("encode needs --tokenizer (gpt2, a folder or a BPE.json)");
  if (!have_text) throw UsageError("encode needs --text T or --file F");
  const attn::Bpe bpe = tokenizer_of(spec);
  const std::vector<std::int32_t> ids = bpe.encode(text);
  std::string id_line, token_line;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    id_line += (i ? " " : "") + std::to_string(ids[i]);
    token_line += (i ? " " : "") + attn::token_text(bpe.token_bytes(ids[i]));
  }
  std::printf("%s\n%s\n", id_line.c_str(), token_line.c_str());
  return 0;
}

int decode(ArgCursor& cur) {
  std::string spec;
  std::vector<int> ids;
  bool have_ids = false;
  while (!cur.done()) {
    const std::string flag = cur.next_flag();
    if (flag == "--tokenizer") {
      spec = cur.value(flag);
    } else if (flag == "--ids") {
      ids = parse_int_list(flag, cur.value(flag), 0, static_cast<int>(attn::kMaxBpeVocab));
      have_ids = true;
    } else {
      throw UsageError("unknown flag '" + flag + "' for tokenizer decode");
    }
  }
  if (spec.empty()) throw UsageError("decode needs --tokenizer (gpt2, a folder or a BPE.json)");
  if (!have_ids) throw UsageError("decode needs --ids");
  const attn::Bpe bpe = tokenizer_of(spec);
  for (int id : ids)
    if (static_cast<std::size_t>(id) >= bpe.vocab_size())
      throw UsageError("--ids: " + std::to_string(id) + " is outside the vocabulary (0.." +
                       std::to_string(bpe.vocab_size() - 1) + ")");
  const std::string bytes = bpe.decode(std::vector<std::int32_t>(ids.begin(), ids.end()));
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  return 0;
}

int train(ArgCursor& cur) {
  std::vector<std::string> corpus;
  std::string out;
  int vocab = 0;
  while (!cur.done()) {
    const std::string flag = cur.next_flag();
    if (flag == "--corpus") {
      take_many(cur, flag, corpus);
    } else if (flag == "--vocab") {
      vocab = cur.int_value(flag, 257, static_cast<int>(attn::kMaxBpeVocab));
    } else if (flag == "--out") {
      out = cur.value(flag);
    } else {
      throw UsageError("unknown flag '" + flag + "' for tokenizer train");
    }
  }
  if (corpus.empty()) throw UsageError("train needs --corpus FILE...");
  if (vocab == 0) throw UsageError("train needs --vocab N (257-" + std::to_string(attn::kMaxBpeVocab) + ")");
  if (out.empty()) throw UsageError("train needs --out BPE.json");
  const auto t0 = std::chrono::steady_clock::now();
  attn::PieceCounts counts;
  for (const std::string& file : corpus) counts.add_file(file);
  const double count_s = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const attn::BpeTrainResult result = attn::train_bpe(counts, static_cast<std::size_t>(vocab));
  const double merge_s = seconds_since(t1);
  attn::write_file_atomic(out, result.bpe.to_json());
  std::printf("read %s in %zu file%s: %llu pieces, %zu distinct (%.2f s)\n",
              mb(static_cast<double>(counts.bytes())).c_str(), corpus.size(), corpus.size() == 1 ? "" : "s",
              static_cast<unsigned long long>(counts.pieces()), counts.counts().size(), count_s);
  std::printf("learned %zu merges, vocabulary %zu (%.2f s) -> %s\n", result.bpe.n_merges(), result.bpe.vocab_size(),
              merge_s, out.c_str());
  if (result.stopped_early)
    std::printf("stopped before %d tokens: no pair of tokens occurs twice in the corpus any more\n", vocab);
  return 0;
}

int bench(ArgCursor& cur) {
  std::vector<std::string> corpus;
  int merges = 8000;
  while (!cur.done()) {
    const std::string flag = cur.next_flag();
    if (flag == "--corpus") {
      take_many(cur, flag, corpus);
    } else if (flag == "--merges") {
      merges = cur.int_value(flag, 1, static_cast<int>(attn::kMaxBpeVocab) - 256);
    } else {
      throw UsageError("unknown flag '" + flag + "' for tokenizer bench");
    }
  }
  if (corpus.empty()) throw UsageError("bench needs --corpus FILE...");
  const attn::Bpe gpt2 = tokenizer_of("gpt2");
  // 1. Encoding with GPT-2's vocabulary on one thread: the best of three passes per file.
  double bytes = 0, best_total = 0;
  std::size_t tokens = 0;
  for (const std::string& file : corpus) {
    const std::string text = attn::read_file(file, 1ull << 30);
    double best = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      const std::vector<std::int32_t> ids = gpt2.encode(text);
      best = std::min(best, seconds_since(t0));
      tokens = ids.size();
      if (gpt2.decode(ids) != text) throw std::runtime_error("decode(encode(s)) != s for " + file);
    }
    bytes += static_cast<double>(text.size());
    best_total += best;
  }
  std::printf("attnlab encode gpt2: %s in %.3f s = %.1f MB/s (%zu tokens in the last file; one thread)\n",
              mb(bytes).c_str(), best_total, bytes / 1e6 / best_total, tokens);
  // 2. Training: counting the pieces (streamed) and learning the merges.
  const auto t0 = std::chrono::steady_clock::now();
  attn::PieceCounts counts;
  for (const std::string& file : corpus) counts.add_file(file);
  const double count_s = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const attn::BpeTrainResult result = attn::train_bpe(counts, 256 + static_cast<std::size_t>(merges));
  const double merge_s = seconds_since(t1);
  std::printf("attnlab train: %zu merges on %s (%zu distinct pieces) in %.2f s (counting %.2f s + merging %.2f s)\n",
              result.bpe.n_merges(), mb(static_cast<double>(counts.bytes())).c_str(), counts.counts().size(),
              count_s + merge_s, count_s, merge_s);
  return 0;
}

}  // namespace

int run_tokenizer(const std::vector<std::string>& args) {
  return guarded("tokenizer", [&]() -> int {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::fputs(kTokenizerHelp, args.empty() ? stderr : stdout);
      return args.empty() ? 2 : 0;
    }
    ArgCursor cur(std::vector<std::string>(args.begin() + 1, args.end()));
    if (args[0] == "encode") return encode(cur);
    if (args[0] == "decode") return decode(cur);
    if (args[0] == "train") return train(cur);
    if (args[0] == "bench") return bench(cur);
    throw UsageError("unknown tokenizer command '" + args[0] + "' (encode, decode, train or bench)");
  });
}

}  // namespace app::cli
