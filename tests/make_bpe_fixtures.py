#!/usr/bin/env python3
"""The outside oracle for attnlab's byte-level BPE (engine/text/bpe.*): GPT-2's encoder written
from its published semantics (openai/gpt-2 src/encoder.py: bytes_to_unicode, the pre-split pattern
run by the `regex` module, bpe() merging the lowest-ranked pair) and a BPE trainer with attnlab's
stated tie rule. It writes the fixtures that tests/engine/bpe_test.cpp compares exactly:

  tests/fixtures/bpe/gpt2_cases.json   ids of >= 200 strings under GPT-2's vocab.json + merges.txt
  tests/fixtures/bpe/train_corpus.txt  a small multi-script corpus
  tests/fixtures/bpe/trained_400.json  the merges a 400-token vocabulary learns from it, and the
                                       ids of a few strings under them

    python3 tests/make_bpe_fixtures.py            # writes the fixtures (needs python3-regex)

Text that is not valid UTF-8 is decoded with 'surrogateescape', so each bad byte is a lone
surrogate, which the pattern sees as "other" (not a letter, number or space): attnlab's rule for
bad bytes, so the fixtures cover invalid UTF-8 too. bench_bpe.py imports this module.
"""
import heapq
import json
import os
import random
import sys

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GPT2 = os.path.join(ROOT, "assets", "tokenizers", "gpt2")
OUT = os.path.join(HERE, "fixtures", "bpe")

PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def pieces(data: bytes):
    """GPT-2's pre-split of any bytes: the pieces as bytes."""
    text = data.decode("utf-8", "surrogateescape")
    return [m.group(0).encode("utf-8", "surrogateescape") for m in PATTERN.finditer(text)]


class Gpt2Encoder:
    """encoder.py's Encoder, on bytes."""

    def __init__(self, vocab_path, merges_path):
        with open(vocab_path, encoding="utf-8") as f:
            self.encoder = json.load(f)
        with open(merges_path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split()) for line in lines[1:] if line]
        self.ranks = dict(zip(merges, range(len(merges))))
        self.byte_encoder = bytes_to_unicode()
        self.cache = {}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            bigram = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if bigram not in self.ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
        self.cache[token] = word
        return word

    def encode(self, data: bytes):
        ids = []
        for piece in pieces(data):
            token = "".join(self.byte_encoder[b] for b in piece)
            ids.extend(self.encoder[t] for t in self.bpe(token))
        return ids


def count_pieces(data: bytes):
    counts = {}
    for p in pieces(data):
        counts[p] = counts.get(p, 0) + 1
    return counts


def train(counts, vocab_size):
    """attnlab's trainer: merge the most frequent adjacent pair (weighted by piece counts); ties
    go to the smallest (left id, right id); bytes are ids 0..255, merge i makes 256 + i; stop when
    no pair occurs twice. Returns the merges as [left, right] lists."""
    words = [list(p) for p in sorted(counts) if len(p) > 1]
    freq = [counts[bytes(w)] for w in words]
    pair_count, where = {}, {}
    for w, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pair_count[pair] = pair_count.get(pair, 0) + freq[w]
            where.setdefault(pair, []).append(w)
    heap = [(-c, a, b) for (a, b), c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while 256 + len(merges) < vocab_size and heap:
        neg, a, b = heapq.heappop(heap)
        if pair_count.get((a, b)) != -neg:
            continue
        if -neg < 2:
            break
        made = 256 + len(merges)
        merges.append([a, b])
        changed = set()
        for w in sorted(set(where.pop((a, b), []))):
            word = words[w]
            if not any(word[j] == a and word[j + 1] == b for j in range(len(word) - 1)):
                continue
            c = freq[w]
            for pair in zip(word, word[1:]):
                pair_count[pair] -= c
                changed.add(pair)
            merged, j = [], 0
            while j < len(word):
                if j + 1 < len(word) and word[j] == a and word[j + 1] == b:
                    merged.append(made)
                    j += 2
                else:
                    merged.append(word[j])
                    j += 1
            words[w] = word = merged
            for pair in zip(word, word[1:]):
                pair_count[pair] = pair_count.get(pair, 0) + c
                changed.add(pair)
                if made in pair:
                    where.setdefault(pair, []).append(w)
        for pair in changed:
            if pair_count[pair] == 0:
                del pair_count[pair]
            else:
                heapq.heappush(heap, (-pair_count[pair], pair[0], pair[1]))
    return merges


class TrainedEncoder:
    """Encoding with trained merges (ids), by encoder.py's loop."""

    def __init__(self, merges):
        self.ranks = {(a, b): r for r, (a, b) in enumerate(merges)}
        self.merges = merges

    def encode(self, data: bytes):
        ids = []
        for piece in pieces(data):
            word = list(piece)
            while len(word) > 1:
                rank = min((self.ranks[p] for p in zip(word, word[1:]) if p in self.ranks), default=None)
                if rank is None:
                    break
                (a, b), made = self.merges[rank], 256 + rank
                merged, j = [], 0
                while j < len(word):
                    if j + 1 < len(word) and word[j] == a and word[j + 1] == b:
                        merged.append(made)
                        j += 2
                    else:
                        merged.append(word[j])
                        j += 1
                word = merged
            ids.extend(word)
        return ids


# ---- the strings --------------------------------------------------------------------------------

def cases():
    s = [
        # The app's own sentences (lessons and the README's examples).
        "Hello my name is", "Once upon a time there was a small robot",
        "Sharp or soft attention depends on temperature",
        "The animal didn't cross the street because it was too tired.",
        "我爱你 — I love you — je t'aime 🙂", "dog bites man . man bites dog .",
        "The quick brown fox jumps over the lazy dog.", "Hello, World!", "hello", " hello", "  hello", "Hello world",
        # Contractions: only the ASCII apostrophe and lower case are special to GPT-2.
        "I'm", "you're", "we've", "he'll", "she'd", "it's", "don't", "DON'T", "I'M", "'s", "''s", "rock'n'roll",
        "O'Neil", "l’amour’s curly", "'re'd'm", "ma'am", "y'all'd've", "'tis", "' s", "'S", "can't won't shan't",
        "'ll'll", "x'", "'",
        # Numbers in several scripts.
        "123", "1234567890", " 42", "3.14159", "1,000,000", "2026-12-07", "0x1F", "٣٤٥ ٦", "१२३४", "½ ¾", "Ⅻ chapters",
        "x² + y³", "12abc", "abc12", "１２３ full width", "v1.2.3-rc4", " 007", "9" * 40,
        # White space: runs, tabs, newlines, trailing, other spaces.
        "a  b", "a   b", "a\tb", "a\nb", "a\n\nb", "trailing  ", "   leading", "\n", "\t\t", " ", "  ", "   ",
        "line1\r\nline2", "a \n b", "end with newline\n", "a\u00a0b", "a\u3000b", "a\u2003b",
        "tabs\t\tand spaces  \n  mixed", "\n\n\n", " \n", "\n ", "x \t y", "word \u00a0word", "a\u2028b", "a\u0085b",
        "  \n  \n  x", "para one.\n\npara two.\n", "  indented\n    more\n",
        # Every script the app shows.
        "café naïve résumé", "Ærøskøbing Ålborg", "Καλημέρα κόσμε", "Ελληνικά", "Привет, мир!", "русский язык",
        "你好，世界", "日本語のテキスト", "カタカナ ひらがな", "한국어 텍스트", "مرحبا بالعالم", "العربية",
        "שלום עולם", "עִבְרִית", "नमस्ते दुनिया", "हिन्दी", "ภาษาไทย", "Tiếng Việt", "Ωmega and ω",
        "ﬁne ligature", "straße STRASSE", "İstanbul ılık", "e\u0301 combining", "Ǆemal",
        # Emoji: single, skin tone, ZWJ families, flags, variation selectors.
        "😀", "👍🏽", "👩‍👩‍👧", "🇫🇷", "❤️", "I ❤️ NY", "🏳️‍🌈", "smile 😀😀😀", "👨‍💻 coding", "🙂🙃", "🎉🎊 party",
        "🧑🏿‍🚀", "#️⃣", "✈️ ✉️", "🇺🇸🇬🇧",
        # Mixed case.
        "HELLO World", "iPhone", "camelCaseWord", "SHOUTING!!!", "MiXeD CaSe", "McDonald's", "NASA's GPT-2",
        # Punctuation, symbols, code.
        "!!!", "...", "?!", "a.b.c", "(parenthesis)", "[1, 2, 3]", "{'key': 'value'}", "C++", "e-mail",
        "https://example.com/path?q=1&r=2", "user@example.com", "#hashtag", "@mention", "$100", "50%",
        "—em dash—", "“quotes”", "«guillemets»", "a_b_c", "__init__", "-->", " ->", "~/.config",
        "def f(x):\n    return x + 1\n", "int main() { return 0; }", "<|endoftext|>", "<|endoftext|>hello",
        "\\n literal", "a/b\\c", "€100", "£5 ¥6", "©®™", "±×÷", "°C",
        # Control bytes.
        "\x00", "a\x01b", "\x7f", "\x1b[31mred\x1b[0m",
        # Long pieces (the heap path).
        "a" * 300, "ab" * 100, " " * 100, "😀" * 50, "Supercalifragilisticexpialidocious" * 3, "1" * 200,
        "!" * 150, "\n" * 70, " x" * 80, "é" * 90, "ab" * 40 + "c" * 40 + "ab" * 40, "ａｂｃ" * 30,
    ]
    out = [t.encode("utf-8") for t in s]
    # Invalid UTF-8: lone bytes, truncated sequences, overlong forms, encoded surrogates.
    out += [b"\xff", b"\xc3", b"abc\xe2\x82", b"\xed\xa0\x80", b"\xc0\x80", b"hello\xffworld", b" \xff",
            b"\xf0\x9f\x98", b"\x80\x80", b"\xf4\x90\x80\x80", b"caf\xe9", b"\xfe\xfe ab", b"a \xc3 b",
            b"it\xe2\x80s", b"\xe2\x82\xac" + b"\xe2\x82", b"'\xffs", b"\xff's", b" \xe2\x82\xac5"]
    # Seeded random strings over a pool of every kind of character.
    pool = list("abcdeXYZ019 '\t\n.,!?-") + ["é", "ß", "Ω", "ж", "я", "中", "文", "あ", "한", "ع", "ש", "न", "्",
                                                "😀", "👍", "🏽", "\u200d", "\u00a0", "\u3000", "٣", "²", "’s", "'s",
                                                "'ll", "  ", "\r\n"]
    rng = random.Random(19)
    for _ in range(110):
        n = rng.randint(1, 40)
        text = "".join(rng.choice(pool) for _ in range(n)).encode("utf-8")
        if rng.random() < 0.15:
            k = rng.randint(0, len(text))
            text = text[:k] + bytes([rng.choice([0x80, 0xbf, 0xc3, 0xe2, 0xf0, 0xff])]) + text[k:]
        out.append(text)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    enc = Gpt2Encoder(os.path.join(GPT2, "vocab.json"), os.path.join(GPT2, "merges.txt"))
    assert enc.encode(b"Hello my name is") == [15496, 616, 1438, 318]
    rows = []
    for data in cases():
        rows.append({"hex": data.hex(), "ids": enc.encode(data)})
    with open(os.path.join(OUT, "gpt2_cases.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    print("gpt2_cases.json: %d strings, %d ids" % (len(rows), sum(len(r["ids"]) for r in rows)))

    # A small corpus in several scripts; the trainer's fixture.
    corpus_path = os.path.join(OUT, "train_corpus.txt")
    lines = []
    rng = random.Random(400)
    words = ("the cat sat on the mat and the dog sat on the log while the bird sang "
             "attention heads look at other tokens lower layers higher layers "
             "das Haus ist klein der Hund ist groß "
             "кошка сидит на ковре собака лежит "
             "猫 在 垫子 上 狗 在 木头 上 "
             "it's don't we've they'll I'm 1999 2026 3.14 "
             "🙂 🙂 ❤️ !! ?").split(" ")
    syllables = ["ka", "to", "ri", "men", "sul", "ba", "ne", "qua", "ži", "по", "ла", "ση", "τα", "ん", "か"]
    for _ in range(600):
        made_up = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(3)]
        line = [rng.choice(words + made_up) for _ in range(rng.randint(3, 14))]
        lines.append(" ".join(line) + rng.choice([".", "!", "?", "", "  ", "\t"]))
    corpus = ("\n".join(lines) + "\n").encode("utf-8")
    with open(corpus_path, "wb") as f:
        f.write(corpus)
    merges = train(count_pieces(corpus), 400)
    tenc = TrainedEncoder(merges)
    samples = [b"the cat sat on the mat", b"Hund und Katze", "кошка лежит 🙂".encode(), b"unseen words: zebra 42",
               b"\xff\xfe broken"]
    with open(os.path.join(OUT, "trained_400.json"), "w") as f:
        json.dump({"format": "attnlab-bpe", "version": 1, "pre_split": "gpt2", "vocab_size": 256 + len(merges),
                   "merges": merges,
                   "samples": [{"hex": s.hex(), "ids": tenc.encode(s)} for s in samples]}, f)
        f.write("\n")
    print("trained_400.json: %d merges" % len(merges))


if __name__ == "__main__":
    sys.exit(main())
