#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/<target>/: small valid
inputs (several copied from tests/fixtures and assets/lessons) and near-valid ones (truncated,
a byte or a number changed, numeric extremes). Python's standard library only.

    /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import io
import json
import os
import shutil
import struct
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def copy(target, name, source):
    write(target, name, open(os.path.join(ROOT, source), "rb").read())


def npy(descr, shape, payload, version=1, fortran=False):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, fortran, dims)
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode("latin-1") + payload


def floats(values):
    return struct.pack("<%df" % len(values), *values)


def npz(entries, compressed=False, zip64=False):
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries.items():
            with z.open(name + ".npy", "w", force_zip64=zip64) as f:
                f.write(data)
    return out.getvalue()


def mha(E=4, I=4, scale=0.1, bias=True):
    w = {
        "in_proj_weight": npy("<f4", (3 * I, E), floats([scale * ((i * 7) % 5 - 2) for i in range(3 * I * E)])),
        "out_proj.weight": npy("<f4", (E, I), floats([scale * ((i * 3) % 4 - 1.5) for i in range(E * I)])),
    }
    if bias:
        w["in_proj_bias"] = npy("<f4", (3 * I,), floats([0.01 * i for i in range(3 * I)]))
        w["out_proj.bias"] = npy("<f4", (E,), floats([0.0] * E))
    return w


def tokenizer():
    texts = {
        "example": "The cat sat on the mat because it was warm.",
        "apostrophes": "didn't rock'n'roll 'quoted' l'été",
        "cjk": "我爱你 東京タワー 한국어",
        "emoji": "hi 👩‍👩‍👧 🇫🇷🇩🇪 👍🏽 ❤️ a‍",
        "combining": "e\u0301te\u0301 n\u0303 \u0301alone",
        "whitespace": " \t\n\r\u00a0\u3000 ",
        "numbers": "3.14 1,000 -5 x2",
    }
    for name, text in texts.items():
        write("tokenizer", name, text)
    write("tokenizer", "invalid_utf8", b"ok \x80 \xc3 \xe2\x82 \xf0\x9f\x98 \xed\xa0\x80 \xc0\xaf \xff\xfe end")
    write("tokenizer", "empty", b"")
    session = json.load(open(os.path.join(ROOT, "assets", "lessons", "05-many-scripts.json"), encoding="utf-8"))
    write("tokenizer", "many_scripts", session["text"])


def npy_corpus():
    copy("npy", "float32_2d.npy", "tests/fixtures/npz/expected_in_proj_weight.npy")
    copy("npy", "float32_1d.npy", "tests/fixtures/npz/expected_out_proj.bias.npy")
    copy("npy", "int32_tokens.npy", "tests/fixtures/train/l1_attn_causal_learned/tokens.npy")
    write("npy", "bytes.npy", npy("|u1", (5,), b"hello"))
    write("npy", "fortran_3d.npy", npy("<f4", (2, 3, 2), floats(range(12)), fortran=True))
    write("npy", "version2.npy", npy("<f4", (2,), floats([1.0, 2.0]), version=2))
    write("npy", "scalar.npy", npy("<f4", (), floats([7.0])))
    write("npy", "zero_size.npy", npy("<f4", (0, 5), b""))
    write("npy", "float64.npy", npy("<f8", (2,), struct.pack("<2d", 1.0, 2.0)))
    write("npy", "truncated_data.npy", npy("<f4", (4, 4), floats(range(10))))
    write("npy", "huge_shape.npy", npy("<f4", (18446744073709551615,), b""))
    write("npy", "overflowing_shape.npy", npy("<f4", (4294967296, 4294967296), b""))
    write("npy", "bad_magic.npy", b"\x93NUMPX" + npy("<f4", (1,), floats([1.0]))[6:])
    write("npy", "header_too_long.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'")


def npz_corpus():
    for name in ("savez.npz", "savez_compressed.npz", "fortran_order.npz"):
        copy("npz", name, "tests/fixtures/npz/" + name)
    small = {"a": npy("<f4", (2,), floats([1.0, 2.0])), "b": npy("|u1", (3,), b"xyz")}
    write("npz", "stored.npz", npz(small))
    write("npz", "deflated.npz", npz(small, compressed=True))
    write("npz", "zip64.npz", npz(small, zip64=True))
    good = npz(small)
    write("npz", "truncated.npz", good[: len(good) - 30])
    crc = bytearray(good)
    crc[14] ^= 0xFF  # the first local header's CRC
    write("npz", "bad_crc.npz", bytes(crc))
    write("npz", "empty_archive.npz", npz({}))


def weights_corpus():
    for name in ("savez.npz", "savez_compressed.npz", "no_biases.npz", "wrong_shape.npz", "missing_out_proj.npz",
                 "float64.npz"):
        copy("weights", name, "tests/fixtures/npz/" + name)
    write("weights", "small.npz", npz(mha()))
    write("weights", "small_no_bias.npz", npz(mha(bias=False), compressed=True))
    write("weights", "huge_values.npz", npz(mha(scale=1e38)))  # finite, but the scores overflow
    nan = mha()
    nan["in_proj_bias"] = npy("<f4", (12,), floats([float("nan")] * 12))
    write("weights", "nan_bias.npz", npz(nan))


def checkpoint_corpus():
    source = os.path.join(FIXTURES, "train", "l1_attn_causal_learned", "model.npz")
    copy("checkpoint", "l1_attn.npz", os.path.relpath(source, ROOT))
    copy("checkpoint", "l1_mlp_rope.npz", "tests/fixtures/train/l1_mlp_causal_rope_t2/model.npz")
    with zipfile.ZipFile(source) as z:
        entries = {i.filename[:-4]: z.read(i.filename) for i in z.infolist()}
    raw = entries["attnlab.json"]
    meta = json.loads(raw[raw.index(b"\n") + 1:])

    def variant(name, change=None, drop=None, compressed=False):
        m = json.loads(json.dumps(meta))
        if change:
            change(m)
        e = dict(entries)
        e["attnlab.json"] = npy("|u1", (len(json.dumps(m).encode()),), json.dumps(m).encode())
        if drop:
            del e[drop]
        write("checkpoint", name, npz(e, compressed=compressed))

    variant("compressed.npz", compressed=True)
    variant("sentences_task.npz", lambda m: m.update(task="sentences"))
    variant("missing_tensor.npz", drop="ln_f.bias")
    variant("seed_too_large.npz", lambda m: m["train"].update(seed=1.8e19))
    variant("step_negative.npz", lambda m: m.update(step=-1))
    variant("temperature_huge.npz", lambda m: m["run"].update(temperature=1e300))
    variant("heads_mismatch.npz", lambda m: m["arch"].update(n_heads=3))
    variant("vocab_short.npz", lambda m: m.update(vocab=m["vocab"][:-1]))
    variant("version_2.npz", lambda m: m.update(version=2))
    write("checkpoint", "weights_file.npz", npz(mha()))


def session_corpus():
    for name in sorted(os.listdir(os.path.join(ROOT, "assets", "lessons"))):
        copy("session", name, "assets/lessons/" + name)
    # Numeric extremes: a seed beyond 64 bits once reached a float-to-integer conversion (UB).
    write("session", "seed_1.8e19_no_format.json", '{"version":1,"seed":1.8e19}')
    base = '{"format":"attnlab-session","version":1,%s}'
    extremes = {
        "seed_1.8e19": '"config":{"seed":1.8e19}',
        "seed_2^64": '"config":{"seed":18446744073709551616}',
        "seed_max": '"config":{"seed":18446744073709551615}',
        "seed_negative": '"config":{"seed":-1}',
        "heads_2^31": '"config":{"n_heads":2147483648}',
        "heads_fraction": '"config":{"n_heads":2.5}',
        "heads_huge_float": '"config":{"n_heads":1e300}',
        "d_model_negative": '"config":{"d_model":-64}',
        "d_head_explicit": '"config":{"d_head_auto":false,"d_head":7,"n_heads":3,"d_model":21}',
        "temperature_1e300": '"config":{"temperature":1e300}',
        "temperature_denormal": '"config":{"temperature":4.9e-324}',
        "temperature_float_max": '"config":{"temperature":3.4028235e38}',
        "version_1e300": '"version":1e300',
        "version_fraction": '"version":1.5',
        "selected_head_1e19": '"selected_head":1e19',
        "ui_scale_huge": '"view":{"ui_scale":1e39}',
        "ui_scale_small": '"view":{"ui_scale":0.5,"head_view":"lines","theme":"light"}',
        "train_mode": '"mode":"train","text":"a b c a b"',
        "wrong_types": '"text":5,"config":[]',
        "rope_odd": '"config":{"positional":"rope","d_model":12,"n_heads":4}',
        "char_tokens": '"tokenizer":"char","text":"\\u00e9t\\u00e9 \\ud83d\\ude00"',
        "gpt2_tokens": '"tokenizer":"gpt2","text":"Hello my name is  \\u20ac \\ud83d\\ude00"',
    }
    for name, body in extremes.items():
        write("session", name + ".json", base % body)
    write("session", "invalid_utf8_text.json", b'{"format":"attnlab-session","version":1,"text":"a\xff\xfeb"}')
    write("session", "deep_nesting.json", '{"format":"attnlab-session","version":1,"text":' + "[" * 200 + "]" * 200 + "}")


def config_json_corpus():
    write("config_json", "default.json", '{"d_model":64,"n_heads":4,"d_head":16,"d_head_auto":true,"causal":false,'
                                         '"positional":"sinusoidal","temperature":1.0,"seed":42}')
    values = {
        "seed_1.8e19": '{"seed":1.8e19}',
        "seed_2^64": '{"seed":18446744073709551616}',
        "seed_max": '{"seed":18446744073709551615}',
        "int64_min": '{"d_model":-9223372036854775808,"seed":-9223372036854775808}',
        "int_max_plus_1": '{"d_model":2147483648,"n_heads":-2147483649}',
        "float_whole": '{"d_model":64.0,"n_heads":4e0}',
        "float_fraction": '{"d_model":64.5}',
        "double_max": '{"temperature":1.7976931348623157e308,"d_model":1.7976931348623157e308}',
        "float_max": '{"temperature":3.4028235e38}',
        "just_over_float_max": '{"temperature":3.4028236e38}',
        "denormal": '{"temperature":4.9e-324}',
        "negative_zero": '{"temperature":-0.0,"seed":-0.0}',
        "2^53_plus_1": '{"seed":9007199254740993}',
        "2^63": '{"seed":9223372036854775808.0}',
        "strings": '{"positional":"rope","causal":"yes","d_head_auto":0}',
        "not_object": "[1,2,3]",
    }
    for name, text in values.items():
        write("config_json", name + ".json", text)


def cli_corpus():
    args = {
        "text_heads": ["--text", "The cat sat", "--heads", "4", "--d-model", "64"],
        "all_model_flags": ["--seed", "7", "--causal", "--positional", "rope", "--temperature", "0.5",
                            "--tokenizer", "char", "--d-head", "8", "--weights", "w.npz"],
        "seed_max": ["--seed", "18446744073709551615"],
        "seed_2^64": ["--seed", "18446744073709551616"],
        "seed_plus": ["--seed", "+5"],
        "temperature_overflow": ["--temperature", "1e39"],
        "temperature_nan": ["--temperature", "nan"],
        "temperature_hex": ["--temperature", "0x1p-149"],
        "heads_list": ["--heads", "1,2"],
        "missing_value": ["--heads"],
        "window_flags": ["--session", "s.json", "--mode", "train", "--scale", "2", "--fullscreen", "--reset",
                         "--no-settings", "--frames", "3", "--size", "800x600", "--hover-token", "2"],
        "keys": ["--key", "ctrl+f5@3", "--key", "pagedown@1", "--key", "f12@0"],
        "train_hooks": ["--lesson", "induction", "--knock-out", "2:1", "--click-cell", "1,2,3@4", "--example", "a b"],
        "bench_ui": ["bench-ui", "--train"],
        "new_task": ["--new", "sort", "--model", "m.npz"],
        "lists": ["8,32,128", "8,,32", "-1", "99999999999999999999", ",", ""],
    }
    for name, argv in args.items():
        write("cli", name, "\n".join(argv))
    write("cli", "nul_separated", b"--text\0hello\nworld\0--heads\x002")


def safetensors(header, data, claimed=None):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if claimed is None else claimed) + text + data


def gpt2_corpus():
    """Seeds for the gpt2 target: safetensors files (F32, F16, BF16, a mask buffer, broken
    offsets and lengths) and GPT-2 config.json files (good, absurd, wrong type)."""
    e = lambda dtype, shape, b, end: {"dtype": dtype, "shape": shape, "data_offsets": [b, end]}
    f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.0)
    write("gpt2", "f32.safetensors", safetensors({"__metadata__": {"format": "pt"}, "wte.weight": e("F32", [2, 2], 0, 16)}, f32))
    write("gpt2", "f16_bf16.safetensors", safetensors(
        {"a": e("F16", [2], 0, 4), "b": e("BF16", [2], 4, 8)}, bytes([0, 0x3C, 0, 0xC0, 0x80, 0x3F, 0, 0xBF])))
    write("gpt2", "mask.safetensors", safetensors({"h.0.attn.bias": e("U8", [1, 1, 2, 2], 0, 4), "w": e("F32", [1], 4, 8)},
                                                  bytes([1, 0, 1, 1]) + struct.pack("<f", 1.0)))
    write("gpt2", "overlap.safetensors", safetensors({"a": e("F32", [2], 0, 8), "b": e("F32", [2], 4, 12)}, f32))
    write("gpt2", "long_header.safetensors", safetensors({"a": e("F32", [1], 0, 4)}, f32[:4], claimed=1 << 40))
    write("gpt2", "nan.safetensors", safetensors({"a": e("F32", [2], 0, 8)}, struct.pack("<2f", 1.0, float("nan"))))
    config = {"model_type": "gpt2", "n_layer": 2, "n_head": 4, "n_embd": 32, "n_positions": 64, "n_inner": None,
              "vocab_size": 300, "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new"}
    write("gpt2", "config.json", json.dumps(config))
    write("gpt2", "config_untied_gelu.json", json.dumps(dict(config, tie_word_embeddings=False, activation_function="gelu",
                                                             n_inner=48)))
    write("gpt2", "config_absurd.json", json.dumps(dict(config, n_layer=10 ** 9)))
    write("gpt2", "config_llama.json", json.dumps(dict(config, model_type="llama")))
def gpt2_byte_chars():
    """GPT-2's byte -> character table (engine/text/bpe.cpp gpt2_byte_char)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def bpe_corpus():
    """bpe_files: vocab.json, a NUL byte, merges.txt. bpe_json: a BPE.json. bpe_encode: text."""
    chars = gpt2_byte_chars()
    tok = lambda s: "".join(chars[b] for b in s.encode("utf-8"))
    extra = [tok("th"), tok("the"), tok(" t"), tok(" the"), tok("he")]
    vocab = {chars[b]: b for b in range(256)}
    for i, t in enumerate(extra):
        vocab[t] = 256 + i
    merges = "#version: 0.2\n" + "\n".join([tok("t") + " " + tok("h"), tok("th") + " " + tok("e"),
                                              tok(" ") + " " + tok("t"), tok(" t") + " " + tok("he"),
                                              tok("h") + " " + tok("e")]) + "\n"
    good = json.dumps(vocab).encode() + b"\0" + merges.encode()
    write("bpe_files", "tiny", good)
    write("bpe_files", "truncated", good[: len(good) // 3])
    write("bpe_files", "no_merges", json.dumps(vocab).encode())
    write("bpe_files", "duplicate_id", json.dumps(dict(vocab, **{tok("zz"): 3})).encode() + b"\0" + merges.encode())
    write("bpe_files", "unknown_merge", json.dumps(vocab).encode() + b"\0#version: 0.2\nq \xc4\xa0zz\n")
    write("bpe_files", "crlf", json.dumps(vocab).encode() + b"\0" + merges.replace("\n", "\r\n").encode())
    write("bpe_files", "not_json", b"{\"a\": \0a b\n")
    merges_ids = [[116, 104], [256, 101], [32, 257], [97, 98], [259, 259]]
    bpe = {"format": "attnlab-bpe", "version": 1, "pre_split": "gpt2", "vocab_size": 256 + len(merges_ids),
           "merges": merges_ids}
    write("bpe_json", "small", json.dumps(bpe))
    write("bpe_json", "truncated", json.dumps(bpe)[:60])
    write("bpe_json", "forward_ref", json.dumps(dict(bpe, merges=[[300, 1]], vocab_size=257)))
    write("bpe_json", "wrong_size", json.dumps(dict(bpe, vocab_size=9)))
    write("bpe_json", "repeated", json.dumps(dict(bpe, merges=[[1, 2], [1, 2]], vocab_size=258)))
    write("bpe_json", "empty", b"")
    for name, text in {"english": "The animal didn't cross the street because it was too tired.",
                       "spaces": "a  b\t\tc \n\n  d   ", "scripts": "我爱你 — Привет — مرحبا — नमस्ते 🙂",
                       "emoji_zwj": "👩‍👩‍👧 🏳️‍🌈 👍🏽", "contractions": "I'm we've they'll 'tis DON'T",
                       "long_run": "a" * 500, "numbers": "3.14159 1,000 ٣٤٥"}.items():
        write("bpe_encode", name, text)
    write("bpe_encode", "invalid_utf8", b"ok \x80 \xc3 \xe2\x82 \xf0\x9f\x98 \xed\xa0\x80 \xff\xfe's end")


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    tokenizer()
    bpe_corpus()
    npy_corpus()
    npz_corpus()
    weights_corpus()
    checkpoint_corpus()
    session_corpus()
    config_json_corpus()
    cli_corpus()
    gpt2_corpus()


if __name__ == "__main__":
    main()
