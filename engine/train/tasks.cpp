// The four tasks. Each generator says in its comment what a sequence looks like, which positions
// the loss counts, and where its detector's cells are.
#include "engine/train/tasks.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "engine/rng.hpp"

namespace attn {

std::string_view to_string(Detector d) {
  switch (d) {
    case Detector::PreviousToken:
      return "previous-token";
    case Detector::Induction:
      return "induction";
    case Detector::Self:
      return "self";
    case Detector::FirstToken:
      return "first-token";
    case Detector::Reverse:
      return "reverse";
    case Detector::Referent:
      return "referent";
    case Detector::DuplicateToken:
      return "duplicate-token";
  }
  return "?";
}

Vocab::Vocab(std::vector<std::string> w) : words(std::move(w)) {
  for (std::size_t i = 0; i < words.size(); ++i) ids.emplace(words[i], static_cast<int>(i));
}

int Vocab::id(std::string_view word) const {
  const auto it = ids.find(std::string(word));
  return it == ids.end() ? unk : it->second;
}

namespace {

int uniform_int(std::uint64_t& rng, int lo, int hi) {  // in [lo, hi]
  return lo + static_cast<int>(detail::splitmix64(rng) % static_cast<std::uint64_t>(hi - lo + 1));
}

std::vector<std::string> with_specials(std::vector<std::string> words) {
  words.insert(words.begin(), {"<pad>", "<unk>"});
  return words;
}

// ---- induction ---------------------------------------------------------------------------------
// <bos> A A: k random symbols, then the same k again, with k varying from sequence to sequence (a
// fixed k lets a model memorise the offset instead of looking for the earlier copy). The loss
// counts the second copy, where each next symbol is predictable: at position 1+k+j (the second
// A[j]) the target is A[j+1]. Induction cells: from there to 2+j, the token after A[j]'s first
// occurrence. A previous-token head in layer 1 lets layer 2 find that token.
class InductionTask final : public Task {
 public:
  InductionTask() : Task(make_words()) {}
  std::string_view name() const override { return "induction"; }
  std::string_view counts() const override { return "the second copy of the random run (each next token)"; }
  int default_seq_len() const override { return 32; }
  int min_seq_len() const override { return 9; }
  std::vector<Detector> detectors() const override {
    return {Detector::PreviousToken, Detector::Induction, Detector::Self, Detector::FirstToken};
  }
  std::string example() const override { return "<bos> K q 3 f T x m K q 3 f T x m"; }

 private:
  static std::vector<std::string> make_words() {
    std::vector<std::string> w{"<bos>"};
    for (char c = 'A'; c <= 'Z'; ++c) w.emplace_back(1, c);
    for (char c = 'a'; c <= 'z'; ++c) w.emplace_back(1, c);
    for (char c = '1'; c <= '9'; ++c) w.emplace_back(1, c);
    return with_specials(w);  // 64 words
  }
  void generate(std::uint64_t& rng, int max_len, bool, Sequence& s) const override {
    const int k = uniform_int(rng, 4, (max_len - 1) / 2);
    const int first_symbol = 3, symbols = vocab().size() - first_symbol;
    s.ids.push_back(2);  // <bos>
    for (int j = 0; j < k; ++j) s.ids.push_back(first_symbol + uniform_int(rng, 0, symbols - 1));
    for (int j = 0; j < k; ++j) s.ids.push_back(s.ids[static_cast<std::size_t>(1 + j)]);
    s.targets.assign(s.ids.size(), -1);
    for (int j = 0; j + 1 < k; ++j) {
      s.targets[static_cast<std::size_t>(1 + k + j)] = s.ids[static_cast<std::size_t>(2 + j)];
      s.cells[static_cast<int>(Detector::Induction)].push_back({1 + k + j, 2 + j});
    }
  }
};

// ---- reverse and sort --------------------------------------------------------------------------
// <bos> x1..xk | y1..yk with y the reversed (or sorted) x, k varying. The loss counts the output:
// from the separator on, each position's target is the next output symbol. Reverse cells: the
// query that predicts y_m looks at its source, x_(k+1-m) at position k+1-m.
class SequenceTask final : public Task {
 public:
  explicit SequenceTask(bool sort) : Task(make_words()), m_sort(sort) {}
  std::string_view name() const override { return m_sort ? "sort" : "reverse"; }
  std::string_view counts() const override { return "the output after the separator '|'"; }
  int default_seq_len() const override { return 24; }
  int min_seq_len() const override { return 8; }
  std::vector<Detector> detectors() const override {
    if (m_sort) return {Detector::PreviousToken, Detector::Self, Detector::FirstToken};
    return {Detector::PreviousToken, Detector::Reverse, Detector::Self, Detector::FirstToken};
  }
  std::string example() const override {
    return m_sort ? "<bos> k c n a h f | a c f h k n" : "<bos> k c n a h f | f h a n c k";
  }

 private:
  static std::vector<std::string> make_words() {
    std::vector<std::string> w{"<bos>", "|"};
    for (char c = 'a'; c <= 'p'; ++c) w.emplace_back(1, c);
    return with_specials(w);  // 20 words
  }
  void generate(std::uint64_t& rng, int max_len, bool, Sequence& s) const override {
    const int k = uniform_int(rng, 3, (max_len - 2) / 2);
    const int first_symbol = 4, symbols = vocab().size() - first_symbol;
    s.ids.push_back(2);  // <bos>
    for (int j = 0; j < k; ++j) s.ids.push_back(first_symbol + uniform_int(rng, 0, symbols - 1));
    s.ids.push_back(3);  // |
    for (int j = 0; j < k; ++j) s.ids.push_back(s.ids[static_cast<std::size_t>(1 + j)]);
    const auto y = s.ids.begin() + k + 2;  // the output, made from a copy of x in place
    if (m_sort)
      std::sort(y, s.ids.end());
    else
      std::reverse(y, s.ids.end());
    s.targets.assign(s.ids.size(), -1);
    for (int m = 0; m < k; ++m) {  // position k+1+m predicts y[m]
      s.targets[static_cast<std::size_t>(k + 1 + m)] = s.ids[static_cast<std::size_t>(k + 2 + m)];
      if (!m_sort) s.cells[static_cast<int>(Detector::Reverse)].push_back({k + 1 + m, k - m});
    }
  }
  bool m_sort;
};

// ---- sentences ---------------------------------------------------------------------------------
// "the dog didn't cross the road because it was too tired . it = dog": which noun "it" names
// depends on the adjective near the end: tired, scared, ... describe the animal; wide, busy, ...
// the place. Templates vary the verb and the word order (the animal is not always first). The
// loss counts the answer only (the target at "="). Some (noun, adjective) pairs are held out of
// training and used to evaluate. Referent cells: from "=" to the noun the answer names. What a
// model learns here is word classes (which adjectives go with animals), not common sense.
class SentencesTask final : public Task {
 public:
  SentencesTask() : Task(make_words()) {}
  std::string_view name() const override { return "sentences"; }
  std::string_view counts() const override { return "the answer after \"it =\""; }
  int default_seq_len() const override { return 20; }
  int min_seq_len() const override { return 18; }
  std::vector<Detector> detectors() const override {
    return {Detector::Referent, Detector::PreviousToken, Detector::Self, Detector::FirstToken};
  }
  std::string example() const override { return "The animal didn't cross the street because it was too tired. it ="; }

  static const std::vector<std::string>& animals() {
    static const std::vector<std::string> v{"animal", "dog", "cat", "horse", "cow", "fox", "rabbit", "child"};
    return v;
  }
  static const std::vector<std::string>& places() {
    static const std::vector<std::string> v{"street", "road", "river", "bridge", "field", "lake", "hill", "yard"};
    return v;
  }
  static const std::vector<std::string>& animal_adjectives() {
    static const std::vector<std::string> v{"tired", "scared", "slow", "lazy", "hungry", "old", "weak", "nervous"};
    return v;
  }
  static const std::vector<std::string>& place_adjectives() {
    static const std::vector<std::string> v{"wide", "busy", "long", "icy", "dark", "steep", "flooded", "crowded"};
    return v;
  }
  // {A} animal, {P} place, {J} adjective; "." ends the clause.
  static const std::vector<std::vector<std::string>>& templates() {
    static const std::vector<std::vector<std::string>> v{
        {"the", "{A}", "didn't", "cross", "the", "{P}", "because", "it", "was", "too", "{J}", "."},
        {"the", "{A}", "did", "not", "reach", "the", "{P}", "because", "it", "was", "too", "{J}", "."},
        {"the", "{P}", "was", "not", "crossed", "by", "the", "{A}", "because", "it", "was", "too", "{J}", "."},
        {"the", "{A}", "stopped", "before", "the", "{P}", "because", "it", "was", "so", "{J}", "."},
        {"the", "{A}", "avoided", "the", "{P}", "since", "it", "was", "too", "{J}", "."},
    };
    return v;
  }

 private:
  static std::vector<std::string> make_words() {
    std::vector<std::string> w{"it", "=", "."};
    const auto add = [&](const std::string& word) {
      if (word[0] != '{' && std::find(w.begin(), w.end(), word) == w.end()) w.push_back(word);
    };
    for (const auto& t : templates())
      for (const auto& word : t) add(word);
    for (const auto* list : {&animals(), &places(), &animal_adjectives(), &place_adjectives()})
      for (const auto& word : *list) add(word);
    return with_specials(w);
  }
  // A pair is held out when (noun index + adjective index) % 4 == 3: every noun and every
  // adjective is still seen in training, just not together.
  static bool held_out_pair(int noun, int adjective) { return (noun + adjective) % 4 == 3; }

  void generate(std::uint64_t& rng, int, bool held_out, Sequence& s) const override {
    const auto& t =
        templates()[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<int>(templates().size()) - 1))];
    const int a = uniform_int(rng, 0, static_cast<int>(animals().size()) - 1);
    const int p = uniform_int(rng, 0, static_cast<int>(places().size()) - 1);
    const bool about_animal = uniform_int(rng, 0, 1) == 0;
    int j = 0, noun = 0;
    do {  // rejection keeps training and evaluation pairs apart
      j = uniform_int(rng, 0, 7);
      noun = about_animal ? a : p;
    } while (held_out_pair(noun, j) != held_out);
    const std::string& adjective = about_animal ? animal_adjectives()[static_cast<std::size_t>(j)]
                                                : place_adjectives()[static_cast<std::size_t>(j)];
    int animal_pos = 0, place_pos = 0;
    for (const std::string& word : t) {
      const int pos = static_cast<int>(s.ids.size());
      if (word == "{A}")
        animal_pos = pos, s.ids.push_back(vocab().id(animals()[static_cast<std::size_t>(a)]));
      else if (word == "{P}")
        place_pos = pos, s.ids.push_back(vocab().id(places()[static_cast<std::size_t>(p)]));
      else if (word == "{J}")
        s.ids.push_back(vocab().id(adjective));
      else
        s.ids.push_back(vocab().id(word));
    }
    s.ids.push_back(vocab().id("it"));
    s.ids.push_back(vocab().id("="));
    const int answer_from = static_cast<int>(s.ids.size()) - 1;  // the "=" position predicts the answer
    const int referent = about_animal ? animal_pos : place_pos;
    s.ids.push_back(s.ids[static_cast<std::size_t>(referent)]);
    s.targets.assign(s.ids.size(), -1);
    s.targets[static_cast<std::size_t>(answer_from)] = s.ids[static_cast<std::size_t>(referent)];
    s.cells[static_cast<int>(Detector::Referent)].push_back({answer_from, referent});
  }
};

}  // namespace

void Task::sample(std::uint64_t& rng, int max_len, bool held_out, Sequence& s) const {
  s.ids.clear();  // clear() keeps the capacity: a training loop reusing s allocates nothing
  s.targets.clear();
  for (auto& cells : s.cells) cells.clear();
  generate(rng, max_len, held_out, s);
  const int len = static_cast<int>(s.ids.size());
  for (int i = 0; i < len; ++i) {
    s.cells[static_cast<int>(Detector::Self)].push_back({i, i});
    if (i == 0) continue;
    s.cells[static_cast<int>(Detector::PreviousToken)].push_back({i, i - 1});
    s.cells[static_cast<int>(Detector::FirstToken)].push_back({i, 0});
  }
}

Sequence Task::sample(std::uint64_t& rng, int max_len, bool held_out) const {
  Sequence s;
  sample(rng, max_len, held_out, s);
  return s;
}

Encoded encode_text(const Vocab& vocab, std::string_view text, bool lower_case) {
  // The explorer's word tokenizer splits (one rule for both): "tired." is two tokens, "didn't"
  // one, <bos> one; every word is then looked up in the task's vocabulary.
  Tokenization words = tokenize(text, TokenizerMode::Word, std::numeric_limits<std::size_t>::max());
  Encoded e;
  for (Token& token : words.tokens) {
    if (lower_case)
      for (char& c : token.text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const int id = vocab.id(token.text);
    e.ids.push_back(id);
    e.unknown.push_back(id == vocab.unk && token.text != "<unk>");
    e.tokens.push_back(std::move(token));
  }
  return e;
}

bool task_lower_cases(std::string_view task_name) { return task_name == "sentences"; }

Encoded Task::encode(std::string_view text) const { return encode_text(m_vocab, text, task_lower_cases(name())); }

std::unique_ptr<Task> make_task(std::string_view name) {
  if (name == "induction") return std::make_unique<InductionTask>();
  if (name == "reverse") return std::make_unique<SequenceTask>(false);
  if (name == "sort") return std::make_unique<SequenceTask>(true);
  if (name == "sentences") return std::make_unique<SentencesTask>();
  return nullptr;
}

const std::vector<std::string_view>& task_names() {
  static const std::vector<std::string_view> names{"induction", "reverse", "sort", "sentences"};
  return names;
}

void pack_batch(const std::vector<Sequence>& seqs, int T, int pad_id, std::int32_t* ids, std::int32_t* targets) {
  for (std::size_t b = 0; b < seqs.size(); ++b) {
    const Sequence& s = seqs[b];
    for (int t = 0; t < T; ++t) {
      const std::size_t i = b * static_cast<std::size_t>(T) + static_cast<std::size_t>(t);
      const bool inside = static_cast<std::size_t>(t) < s.ids.size();
      ids[i] = inside ? s.ids[static_cast<std::size_t>(t)] : pad_id;
      targets[i] = inside ? s.targets[static_cast<std::size_t>(t)] : -1;
    }
  }
}

}  // namespace attn
