#!/usr/bin/python3
"""A PyTorch twin of transformers' GPT2LMHeadModel (eval mode, eager attention), written from its
published semantics because Debian 12 has no `transformers`, and the safetensors format written
by hand for the same reason. It makes the GPT-2 test fixtures, random-weight folders of any size,
and times its own forward beside `attnlab bench --model`.

    /usr/bin/python3 tests/gpt2_twin.py fixtures            # tests/engine/gpt2/<variant>/
    /usr/bin/python3 tests/gpt2_twin.py folder --out /tmp/gpt2-small        # GPT-2 small's shape
    /usr/bin/python3 tests/gpt2_twin.py folder --out /tmp/gpt2-medium --layers 24 --heads 16 --d-model 1024
    /usr/bin/python3 tests/gpt2_twin.py bench --model /tmp/gpt2-small --n 32
    /usr/bin/python3 tests/gpt2_twin.py run --model DIR --ids 1,2,3 --out D  # attn (per layer), logits

GPT-2 as computed here: h = wte[ids] + wpe[t]; per block h += c_proj(attn(ln_1(h))) and
h += mlp.c_proj(gelu_new(mlp.c_fc(ln_2(h)))), where Conv1D is x @ W + b with W stored (in, out),
attention splits c_attn's output into q | k | v of n_embd each, head h in columns h*d..(h+1)*d,
scores q k^T / sqrt(d) with the future masked, softmax over keys; then ln_f and logits through
lm_head (wte itself when tie_word_embeddings, the default).
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "engine", "gpt2")

# ---- safetensors ----------------------------------------------------------------------------

DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (np.uint16, 2)}


def to_bf16_bits(a):
    """float32 -> bfloat16 bits, rounded to nearest even (as torch's .to(torch.bfloat16))."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def encode(a, dtype):
    if dtype == "F32":
        return np.ascontiguousarray(a, dtype="<f4").tobytes()
    if dtype == "F16":
        return np.ascontiguousarray(a, dtype="<f2").tobytes()
    return to_bf16_bits(a).astype("<u2").tobytes()


def write_safetensors(path, tensors, dtype_of):
    """tensors: list of (name, float array); dtype_of(name) -> "F32" | "F16" | "BF16"."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, a in tensors:
        blob = encode(a, dtype_of(name))
        header[name] = {"dtype": dtype_of(name), "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes with spaces
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    return offset


def read_safetensors(path):
    """name -> float32 array (F16 and BF16 widened exactly)."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out, base = {}, 8 + n
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = data[base + b:base + end]
        if e["dtype"] == "F32":
            a = np.frombuffer(raw, "<f4").astype(np.float32)
        elif e["dtype"] == "F16":
            a = np.frombuffer(raw, "<f2").astype(np.float32)
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, {"U8": "u1", "BOOL": "u1", "I64": "<i8"}[e["dtype"]]).astype(np.float32)
        out[name] = a.reshape(e["shape"])
    return out


def read_folder(folder):
    """config dict and the state dict (names without 'transformer.') of a Hugging Face folder."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    single = os.path.join(folder, "model.safetensors")
    if os.path.exists(single):
        files = [single]
    else:
        with open(os.path.join(folder, "model.safetensors.index.json")) as f:
            files = sorted({os.path.join(folder, v) for v in json.load(f)["weight_map"].values()})
    state = {}
    for path in files:
        for name, a in read_safetensors(path).items():
            state[name[len("transformer."):] if name.startswith("transformer.") else name] = a
    return config, state


# ---- the model --------------------------------------------------------------------------------

def gelu(x, kind):
    if kind in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    assert kind == "gelu", kind
    return torch.nn.functional.gelu(x)


class GPT2Twin:
    """GPT2LMHeadModel's forward over one sequence, from a config and a state dict of tensors."""

    def __init__(self, config, state, dtype=torch.float64):
        self.c = config
        self.w = {k: torch.from_numpy(np.ascontiguousarray(v)).to(dtype) for k, v in state.items()}
        self.L, self.H, self.E = config["n_layer"], config["n_head"], config["n_embd"]
        self.eps = config["layer_norm_epsilon"]
        self.act = config.get("activation_function", "gelu_new")
        tied = config.get("tie_word_embeddings", True)
        self.head = self.w["wte.weight"] if tied else self.w["lm_head.weight"]

    def forward(self, ids):
        w, E, H = self.w, self.E, self.H
        D = E // H
        T = len(ids)
        assert T <= self.c["n_positions"], "a sentence longer than n_positions"
        ids_t = torch.tensor(ids, dtype=torch.long)
        h = w["wte.weight"][ids_t] + w["wpe.weight"][:T]
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        attns = []
        for i in range(self.L):
            p = "h.%d." % i
            x = torch.nn.functional.layer_norm(h, (E,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], self.eps)
            qkv = x @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: (in, out)
            q, k, v = qkv.split(E, dim=1)
            q, k, v = (t.reshape(T, H, D).transpose(0, 1) for t in (q, k, v))  # (H, T, D)
            scores = q @ k.transpose(1, 2) / math.sqrt(D)
            scores = torch.where(causal, scores, torch.tensor(torch.finfo(scores.dtype).min, dtype=scores.dtype))
            a = torch.softmax(scores, dim=-1)
            attns.append(a)
            out = (a @ v).transpose(0, 1).reshape(T, E)
            h = h + out @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
            x = torch.nn.functional.layer_norm(h, (E,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], self.eps)
            m = gelu(x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"], self.act)
            h = h + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
        h = torch.nn.functional.layer_norm(h, (E,), w["ln_f.weight"], w["ln_f.bias"], self.eps)
        return attns, h @ self.head.T


# ---- folders ----------------------------------------------------------------------------------

def bytes_to_unicode():
    """GPT-2's byte -> character table: printable bytes stand for themselves, the rest U+0100 + k."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def make_vocab(vocab_size, corpus):
    """A consistent byte-level BPE vocabulary of vocab_size entries: the 256 bytes, merges learned
    greedily from corpus (then from made-up pairs once it runs out), and <|endoftext|> last."""
    table = bytes_to_unicode()
    vocab = [table[b] for b in sorted(table, key=lambda b: (ord(table[b]) >= 256, ord(table[b])))]
    seen, merges, filler = set(vocab), [], 0
    words = [[table[b] for b in (" " + w if i else w).encode()] for i, w in enumerate(corpus.split(" "))]
    while len(vocab) < vocab_size - 1:
        counts = {}
        for w in words:
            for a, b in zip(w, w[1:]):
                if a + b not in seen:
                    counts[(a, b)] = counts.get((a, b), 0) + 1
        if counts:
            a, b = max(counts, key=lambda ab: (counts[ab], ab))
        else:  # made-up pairs of two byte tokens (65,536 of them), each still the join of two tokens
            while vocab[filler % 256] + vocab[(filler // 256) % 256] in seen:
                filler += 1
            a, b = vocab[filler % 256], vocab[(filler // 256) % 256]
        if a + b in seen:
            raise RuntimeError("could not grow the vocabulary")
        merges.append((a, b))
        vocab.append(a + b)
        seen.add(a + b)
        for w in words:
            i = 0
            while i < len(w) - 1:
                if w[i] == a and w[i + 1] == b:
                    w[i:i + 2] = [a + b]
                i += 1
    vocab.append("<|endoftext|>")
    return vocab, merges


CORPUS = ("the cat sat on the mat and the dog sat on the log while the bird sang in the tree "
          "attention is all you need to see which word looks at which")


def random_state(config, rng, explicit_head, buffers):
    """GPT-2 tensors under Hugging Face's names, Conv1D weights (in, out). Scales larger than
    GPT-2's 0.02 so that attention is far from uniform and every weight matters to the result."""
    E, L, V, P = config["n_embd"], config["n_layer"], config["vocab_size"], config["n_positions"]
    M = config.get("n_inner") or 4 * E
    f = lambda *shape, s=0.2: (rng.standard_normal(shape) * s).astype(np.float32)
    state = [("wte.weight", f(V, E, s=0.5)), ("wpe.weight", f(P, E, s=0.3))]
    for i in range(L):
        p = "h.%d." % i
        state += [(p + "ln_1.weight", 1.0 + f(E, s=0.1)), (p + "ln_1.bias", f(E, s=0.1)),
                  (p + "attn.c_attn.weight", f(E, 3 * E, s=0.35)), (p + "attn.c_attn.bias", f(3 * E, s=0.1)),
                  (p + "attn.c_proj.weight", f(E, E)), (p + "attn.c_proj.bias", f(E, s=0.05)),
                  (p + "ln_2.weight", 1.0 + f(E, s=0.1)), (p + "ln_2.bias", f(E, s=0.1)),
                  (p + "mlp.c_fc.weight", f(E, M)), (p + "mlp.c_fc.bias", f(M, s=0.1)),
                  (p + "mlp.c_proj.weight", f(M, E, s=0.1)), (p + "mlp.c_proj.bias", f(E, s=0.05))]
        if buffers:  # what older checkpoints store: the causal mask and the masked value
            state += [(p + "attn.bias", np.tril(np.ones((P, P), np.float32)).reshape(1, 1, P, P)),
                      (p + "attn.masked_bias", np.array(-1e4, np.float32))]
    state += [("ln_f.weight", 1.0 + f(E, s=0.1)), ("ln_f.bias", f(E, s=0.1))]
    if explicit_head:
        state.append(("lm_head.weight", f(V, E, s=0.5)))
    return state


def write_folder(out, config, state, dtype="F32", prefix=False, shards=1, vocab=None, merges=None):
    """config.json, model.safetensors (or shards + index), vocab.json and merges.txt."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    # The mask buffers stay float32 and lm_head is never prefixed, as transformers saves them.
    named = [("transformer." + n if prefix and n != "lm_head.weight" else n, a) for n, a in state]
    dtype_of = lambda n: "F32" if n.endswith("attn.bias") or n.endswith("masked_bias") else dtype
    if shards == 1:
        write_safetensors(os.path.join(out, "model.safetensors"), named, dtype_of)
    else:
        per = math.ceil(len(named) / shards)
        weight_map, total = {}, 0
        for s in range(shards):
            name = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            part = named[s * per:(s + 1) * per]
            total += write_safetensors(os.path.join(out, name), part, dtype_of)
            weight_map.update({n: name for n, _ in part})
        with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({t: i for i, t in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join("%s %s\n" % m for m in merges))


def gpt2_config(layers, heads, d_model, vocab, positions, **extra):
    c = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": layers, "n_head": heads,
         "n_embd": d_model, "n_positions": positions, "n_ctx": positions, "n_inner": None, "vocab_size": vocab,
         "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1,
         "attn_pdrop": 0.1, "bos_token_id": vocab - 1, "eos_token_id": vocab - 1}
    c.update(extra)
    return c


# (name, dtype, prefix, explicit lm_head, shards, buffers, config changes)
VARIANTS = [
    ("f32_prefixed_tied", "F32", True, False, 1, True, {}),
    ("f16_plain_tied", "F16", False, False, 1, False, {}),
    ("bf16_plain_head", "BF16", False, True, 1, False, {"tie_word_embeddings": False}),
    ("f32_sharded_tied", "F32", True, "equal", 3, False, {}),
    ("f32_gelu_inner", "F32", False, False, 1, True,
     {"activation_function": "gelu", "n_inner": 48, "layer_norm_epsilon": 1e-3, "n_positions": 24, "n_ctx": 24}),
]
FIXTURE_IDS = [464, 3797, 3332, 319, 262, 2603, 13, 383, 3290, 3332, 319, 262, 2604, 13, 0, 50256]


def make_fixtures():
    rng = np.random.default_rng(2024)
    V = 300
    vocab, merges = make_vocab(V, CORPUS)
    ids = [i % V for i in FIXTURE_IDS]
    for name, dtype, prefix, head, shards, buffers, changes in VARIANTS:
        out = os.path.join(FIXTURES, name)
        shutil.rmtree(out, ignore_errors=True)
        config = gpt2_config(2, 4, 32, V, 64, **changes)
        state = random_state(config, rng, head is True, buffers)
        if head == "equal":  # a tied model that also stores lm_head (equal to wte)
            state.append(("lm_head.weight", dict(state)["wte.weight"].copy()))
        write_folder(out, config, state, dtype, prefix, shards, vocab, merges)
        # The oracle reads the folder back (the rounded F16 / BF16 values) and computes in double.
        cfg, st = read_folder(out)
        attns, logits = GPT2Twin(cfg, st).forward(ids)
        exp = os.path.join(out, "expected")
        os.makedirs(exp, exist_ok=True)
        np.save(os.path.join(exp, "ids.npy"), np.array(ids, dtype="<i4"))
        for i, a in enumerate(attns):
            np.save(os.path.join(exp, "attn%d.npy" % i), a.numpy().astype("<f4"))
        np.save(os.path.join(exp, "logits.npy"), logits.numpy().astype("<f4"))
        print("wrote", out, "logits range", float(logits.min()), float(logits.max()))


def make_folder(args):
    rng = np.random.default_rng(args.seed)
    config = gpt2_config(args.layers, args.heads, args.d_model, args.vocab, args.positions)
    E = args.d_model
    # GPT-2's own initialisation scale (0.02), so that a 12-layer stack stays in range.
    f = lambda *shape, s=0.02: (rng.standard_normal(shape, dtype=np.float32) * np.float32(s))
    state = [("wte.weight", f(args.vocab, E)), ("wpe.weight", f(args.positions, E, s=0.01))]
    for i in range(args.layers):
        p = "h.%d." % i
        state += [(p + "ln_1.weight", np.ones(E, np.float32)), (p + "ln_1.bias", np.zeros(E, np.float32)),
                  (p + "attn.c_attn.weight", f(E, 3 * E)), (p + "attn.c_attn.bias", np.zeros(3 * E, np.float32)),
                  (p + "attn.c_proj.weight", f(E, E)), (p + "attn.c_proj.bias", np.zeros(E, np.float32)),
                  (p + "ln_2.weight", np.ones(E, np.float32)), (p + "ln_2.bias", np.zeros(E, np.float32)),
                  (p + "mlp.c_fc.weight", f(E, 4 * E)), (p + "mlp.c_fc.bias", np.zeros(4 * E, np.float32)),
                  (p + "mlp.c_proj.weight", f(4 * E, E)), (p + "mlp.c_proj.bias", np.zeros(E, np.float32))]
    state += [("ln_f.weight", np.ones(E, np.float32)), ("ln_f.bias", np.zeros(E, np.float32))]
    vocab, merges = make_vocab(args.vocab, CORPUS)
    write_folder(args.out, config, state, args.dtype, False, args.shards, vocab, merges)
    print("wrote", args.out, sum(a.size for _, a in state), "parameters")


def bench(args):
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    config, state = read_folder(args.model)
    twin = GPT2Twin(config, state, dtype=torch.float32)
    del state
    load = time.perf_counter() - t0
    ids = [(i * 7919) % config["vocab_size"] for i in range(args.n)]
    times = []
    with torch.no_grad():
        for _ in range(2):
            twin.forward(ids)
        budget = time.perf_counter() + 3.0
        while len(times) < 10 or (time.perf_counter() < budget and len(times) < 200):
            t = time.perf_counter()
            twin.forward(ids)
            times.append(time.perf_counter() - t)
    times.sort()
    rss = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024.0
    print("pytorch twin: n=%d load_s=%.3f median_ms=%.2f peak_rss_mb=%.0f threads=1" %
          (args.n, load, times[len(times) // 2] * 1e3, rss))


def run(args):
    config, state = read_folder(args.model)
    ids = [int(x) for x in args.ids.split(",")]
    attns, logits = GPT2Twin(config, state).forward(ids)
    os.makedirs(args.out, exist_ok=True)
    for i, a in enumerate(attns):
        np.save(os.path.join(args.out, "attn%d.npy" % i), a.numpy().astype("<f4"))
    np.save(os.path.join(args.out, "logits.npy"), logits.numpy().astype("<f4"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fixtures")
    f = sub.add_parser("folder")
    f.add_argument("--out", required=True)
    f.add_argument("--layers", type=int, default=12)
    f.add_argument("--heads", type=int, default=12)
    f.add_argument("--d-model", type=int, default=768)
    f.add_argument("--vocab", type=int, default=50257)
    f.add_argument("--positions", type=int, default=1024)
    f.add_argument("--dtype", default="F32", choices=sorted(DTYPES))
    f.add_argument("--shards", type=int, default=1)
    f.add_argument("--seed", type=int, default=1)
    b = sub.add_parser("bench")
    b.add_argument("--model", required=True)
    b.add_argument("--n", type=int, default=32)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--ids", required=True)
    r.add_argument("--out", required=True)
    args = ap.parse_args()
    {"fixtures": lambda: make_fixtures(), "folder": lambda: make_folder(args), "bench": lambda: bench(args),
     "run": lambda: run(args)}[args.cmd]()


if __name__ == "__main__":
    sys.exit(main())
