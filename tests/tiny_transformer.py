"""The PyTorch twin of attnlab's tiny transformer: the outside oracle for the C++ forward,
backward and AdamW step. Needs Debian's python3-torch; the C++ test suite reads only the
fixtures written with it (tests/fixtures/make_train_fixtures.py).

Loading a checkpoint (.npz: float32 parameters by state_dict name, plus "attnlab.json", the
meta JSON as uint8 bytes):

    import sys, torch
    sys.path.insert(0, "tests")
    from tiny_transformer import load_checkpoint, loss_fn
    model, meta = load_checkpoint("tests/fixtures/train/l1_attn_causal_learned/model.npz")
    logits, attn = model(torch.tensor([[1, 2, 3]]), return_attn=True)  # (B,T,V), L x (B,H,T,T)
"""
import json
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

META_KEY = "attnlab.json"
POSITIONALS = ("none", "sinusoidal", "learned", "rope")
GELUS = ("exact", "tanh")


def sinusoidal_table(n_tokens, d_model):
    """engine/positional.cpp: PE[p, 2i] = sin(p / 10000^(2i/E)), PE[p, 2i+1] = cos(same), in
    float64, then rounded to float32 as the C++ stores it."""
    table = np.zeros((n_tokens, d_model), dtype=np.float64)
    for j in range(0, d_model, 2):
        angle = np.arange(n_tokens, dtype=np.float64) / 10000.0 ** (j / d_model)
        table[:, j] = np.sin(angle)
        if j + 1 < d_model:
            table[:, j + 1] = np.cos(angle)
    return torch.from_numpy(table.astype(np.float32))


def rope_tables(n_tokens, d_head):
    """apply_rope in engine/positional.cpp: pair i turns by position * 10000^(-2i/D); cos and sin
    are taken in float64 and rounded to float32 before use, as there. Returns (T, D/2) each."""
    freq = 10000.0 ** (-2.0 * np.arange(d_head // 2, dtype=np.float64) / d_head)
    angle = np.arange(n_tokens, dtype=np.float64)[:, None] * freq[None, :]
    return torch.from_numpy(np.cos(angle).astype(np.float32)), torch.from_numpy(np.sin(angle).astype(np.float32))


def apply_rope(x, cos, sin):
    """Rotates the interleaved pairs (2i, 2i+1) of x (B, H, T, D): a' = a c - b s, b' = a s + b c."""
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).flatten(-2)


class Attention(nn.Module):
    # Hand-written because nn.MultiheadAttention needs H*D == E; the names and the q|k|v row
    # layout of in_proj_weight are MultiheadAttention's, so its checkpoints read alike.
    def __init__(self, d_model, n_heads, d_head, causal, temperature, rope):
        super().__init__()
        self.n_heads, self.d_head, self.causal, self.rope = n_heads, d_head, causal, rope
        self.scale = 1.0 / (math.sqrt(d_head) * temperature)
        self.in_proj_weight = nn.Parameter(torch.empty(3 * n_heads * d_head, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * n_heads * d_head))
        self.out_proj = nn.Linear(n_heads * d_head, d_model)
        # MultiheadAttention's defaults
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x, rope_cos=None, rope_sin=None):
        B, T, _ = x.shape
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)  # (B, T, 3HD)
        q, k, v = (t.view(B, T, self.n_heads, self.d_head).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
        if self.rope:
            q, k = apply_rope(q, rope_cos, rope_sin), apply_rope(k, rope_cos, rope_sin)
        scores = (q @ k.transpose(-1, -2)) * self.scale  # (B, H, T, T)
        if self.causal:
            future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        attn = scores.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(B, T, self.n_heads * self.d_head)  # head h at columns h*D..
        return self.out_proj(out), attn


class MLP(nn.Module):
    """fc (d_mlp, E), GELU, proj (E, d_mlp). d_mlp is Arch::d_mlp (GPT-2's n_inner; 4E when
    absent); gelu is "exact" (erf, PyTorch's default) or "tanh" (GPT-2's "gelu_new")."""

    def __init__(self, d_model, d_mlp=None, gelu="exact"):
        super().__init__()
        if gelu not in GELUS:
            raise ValueError(f"gelu must be one of {GELUS}, got {gelu!r}")
        d_mlp = d_mlp or 4 * d_model
        self.approximate = "tanh" if gelu == "tanh" else "none"
        self.fc = nn.Linear(d_model, d_mlp)
        self.proj = nn.Linear(d_mlp, d_model)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate=self.approximate))


class Block(nn.Module):
    def __init__(self, arch, run):
        super().__init__()
        E, eps = arch["d_model"], arch.get("ln_eps", 1e-5)
        self.ln1 = nn.LayerNorm(E, eps=eps)
        self.attn = Attention(E, arch["n_heads"], arch["d_head"], run["causal"], run["temperature"],
                              run["positional"] == "rope")
        if arch["mlp"]:
            self.ln2 = nn.LayerNorm(E, eps=eps)
            self.mlp = MLP(E, arch.get("d_mlp"), arch.get("gelu", "exact"))
        self.has_mlp = bool(arch["mlp"])

    def forward(self, x, rope_cos, rope_sin):
        a, attn = self.attn(self.ln1(x), rope_cos, rope_sin)
        x = x + a
        if self.has_mlp:
            x = x + self.mlp(self.ln2(x))
        return x, attn


class TinyTransformer(nn.Module):
    """Pre-LayerNorm decoder (or encoder when not causal) configured by the checkpoint's meta,
    including GPT-2's switches of a version 2 meta: MLP width, tanh GELU, tied embeddings, the
    LayerNorm epsilon."""

    def __init__(self, meta):
        super().__init__()
        arch, run = meta["arch"], meta["run"]
        V, E, T_max = arch["vocab_size"], arch["d_model"], arch["max_seq_len"]
        self.positional, self.max_seq_len = run["positional"], T_max
        if self.positional not in POSITIONALS:
            raise ValueError(f"positional must be one of {POSITIONALS}, got {self.positional!r}")
        if self.positional == "rope" and arch["d_head"] % 2:
            raise ValueError(f"rotary positions (rope) need an even d_head, got {arch['d_head']}")
        self.tok_emb = nn.Embedding(V, E)
        if self.positional == "learned":
            self.pos_emb = nn.Embedding(T_max, E)
        self.blocks = nn.ModuleList(Block(arch, run) for _ in range(arch["n_layers"]))
        self.ln_f = nn.LayerNorm(E, eps=arch.get("ln_eps", 1e-5))
        # Tied embeddings (GPT-2): no unembed parameter, the logits read tok_emb, whose gradient then
        # collects both uses. Its rows start at std 1/sqrt(E), as attnlab's init_params, so the
        # first logits are of unit scale rather than sqrt(E).
        self.tied = bool(arch.get("tied_embeddings", False))
        if self.tied:
            with torch.no_grad():
                self.tok_emb.weight.mul_(1.0 / math.sqrt(E))
        else:
            self.unembed = nn.Linear(E, V, bias=False)
        # Fixed tables are non-persistent buffers: they follow .double() but stay out of the
        # state_dict, so checkpoints hold parameters only.
        if self.positional == "sinusoidal":
            self.register_buffer("sin_table", sinusoidal_table(T_max, E), persistent=False)
        if self.positional == "rope":
            cos, sin = rope_tables(T_max, arch["d_head"])
            self.register_buffer("rope_cos", cos, persistent=False)
            self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, ids, return_attn=False):
        """ids (B, T) integer, T <= max_seq_len -> logits (B, T, V) [, list of L attn (B, H, T, T)]."""
        T = ids.shape[1]
        if T > self.max_seq_len:
            raise ValueError(f"sequence of {T} tokens is longer than max_seq_len {self.max_seq_len}")
        x = self.tok_emb(ids.long())
        if self.positional == "learned":
            x = x + self.pos_emb.weight[:T]
        elif self.positional == "sinusoidal":
            x = x + self.sin_table[:T]
        cos, sin = (self.rope_cos[:T], self.rope_sin[:T]) if self.positional == "rope" else (None, None)
        attns = []
        for block in self.blocks:
            x, attn = block(x, cos, sin)
            attns.append(attn)
        x = self.ln_f(x)
        logits = x @ self.tok_emb.weight.t() if self.tied else self.unembed(x)
        return (logits, attns) if return_attn else logits


def loss_fn(logits, targets):
    """Mean cross-entropy over the positions whose target is not -1."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1).long(), ignore_index=-1)


def make_meta(n_layers, d_model, n_heads, d_head, mlp, vocab_size, max_seq_len, causal, positional,
              temperature=1.0, train=None, task="custom", vocab=None, *, d_mlp=None, gelu="exact",
              tied_embeddings=False, ln_eps=1e-5):
    """The checkpoint's meta. GPT-2's switches (d_mlp, gelu, tied_embeddings, ln_eps) make it a
    version 2 meta, as engine/model/checkpoint.cpp writes one; without them it stays version 1."""
    d_mlp = d_mlp or 4 * d_model
    arch = {"n_layers": n_layers, "d_model": d_model, "n_heads": n_heads, "d_head": d_head,
            "mlp": bool(mlp), "vocab_size": vocab_size, "max_seq_len": max_seq_len}
    v2 = d_mlp != 4 * d_model or gelu != "exact" or tied_embeddings or ln_eps != 1e-5
    if v2:
        arch.update(d_mlp=d_mlp, gelu=gelu, tied_embeddings=bool(tied_embeddings), ln_eps=float(ln_eps))
    return {"format": "attnlab-model", "version": 2 if v2 else 1,
            "arch": arch,
            "run": {"causal": bool(causal), "positional": positional, "temperature": float(temperature)},
            "task": task,
            "vocab": vocab if vocab is not None else [f"t{i}" for i in range(vocab_size)],
            "train": dict(train or {}),
            "step": 0}


def make_optimizer(model, train):
    """AdamW with weight decay on the matrices (ndim >= 2: embeddings, projections, unembed)
    only; biases and LayerNorm parameters are not decayed."""
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.ndim >= 2], "weight_decay": train["weight_decay"]},
              {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=train["lr"], betas=(train["beta1"], train["beta2"]),
                             eps=train["eps"], foreach=False)


def lr_at(t, train):
    """Linear warm-up over the first warmup_steps updates (t is 1-based), then constant."""
    w = train["warmup_steps"]
    return train["lr"] * min(1.0, t / w) if w > 0 else train["lr"]


def train_step(model, opt, ids, targets, t, train):
    """Update t (1-based). What the C++ mirrors, per parameter p with gradient g:
        g *= min(1, grad_clip / (||all g||_2 + 1e-6))
        p *= 1 - lr_t * wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
        p -= lr_t / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    Returns the loss before the update."""
    for group in opt.param_groups:
        group["lr"] = lr_at(t, train)
    opt.zero_grad()
    loss = loss_fn(model(ids), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), train["grad_clip"])
    opt.step()
    return loss.detach()


def save_checkpoint(model, meta, path):
    arrays = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(path, **arrays)


def load_checkpoint(path):
    """-> (float32 TinyTransformer, meta dict); every parameter must be present (strict)."""
    with np.load(path) as z:
        meta = json.loads(bytes(z[META_KEY]).decode("utf-8"))
        state = {k: torch.from_numpy(z[k]) for k in z.files if k != META_KEY}
    model = TinyTransformer(meta)
    model.load_state_dict(state, strict=True)
    return model, meta
