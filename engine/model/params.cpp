// The parameter list of the transformer, built once from its Arch.
#include "engine/model/params.hpp"

#include <cmath>

#include "engine/rng.hpp"

namespace attn {

ParamLayout ParamLayout::of(const Arch& a) {
  const std::size_t E = static_cast<std::size_t>(a.d_model), I = static_cast<std::size_t>(a.inner_dim()),
                    V = static_cast<std::size_t>(a.vocab_size), T = static_cast<std::size_t>(a.max_seq_len),
                    M = static_cast<std::size_t>(a.mlp_dim());
  ParamLayout layout;
  const auto add = [&](std::string name, std::vector<std::size_t> shape) {
    ParamTensor t{std::move(name), std::move(shape), layout.total, 1, false};
    for (std::size_t d : t.shape) t.size *= d;
    t.decay = t.shape.size() >= 2;
    layout.total += t.size;
    layout.tensors.push_back(std::move(t));
  };
  if (a.token_embedding) add("tok_emb.weight", {V, E});
  if (a.token_embedding && a.learned_positions) add("pos_emb.weight", {T, E});
  for (int i = 0; i < a.n_layers; ++i) {
    const std::string p = "blocks." + std::to_string(i) + ".";
    if (a.layer_norm) {
      add(p + "ln1.weight", {E});
      add(p + "ln1.bias", {E});
    }
    add(p + "attn.in_proj_weight", {3 * I, E});
    add(p + "attn.in_proj_bias", {3 * I});
    add(p + "attn.out_proj.weight", {E, I});
    add(p + "attn.out_proj.bias", {E});
    if (a.mlp) {
      if (a.layer_norm) {
        add(p + "ln2.weight", {E});
        add(p + "ln2.bias", {E});
      }
      add(p + "mlp.fc.weight", {M, E});
      add(p + "mlp.fc.bias", {M});
      add(p + "mlp.proj.weight", {E, M});
      add(p + "mlp.proj.bias", {E});
    }
  }
  if (a.unembedding && a.layer_norm) {
    add("ln_f.weight", {E});
    add("ln_f.bias", {E});
  }
  if (a.unembedding && !a.tied_embeddings) add("unembed.weight", {V, E});
  return layout;
}

const ParamTensor* ParamLayout::find(const std::string& name) const {
  for (const ParamTensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

namespace {

template <typename P>
ParamView<P> make_view(const ParamLayout& layout, P* arena) {
  const auto at = [&](const std::string& name) -> P* {
    const ParamTensor* t = layout.find(name);
    return t ? arena + t->offset : nullptr;
  };
  ParamView<P> v{};
  v.tok_emb = at("tok_emb.weight");
  v.pos_emb = at("pos_emb.weight");
  for (int i = 0;; ++i) {
    const std::string p = "blocks." + std::to_string(i) + ".";
    if (!layout.find(p + "attn.in_proj_weight")) break;
    v.blocks.push_back({at(p + "ln1.weight"), at(p + "ln1.bias"), at(p + "attn.in_proj_weight"),
                        at(p + "attn.in_proj_bias"), at(p + "attn.out_proj.weight"), at(p + "attn.out_proj.bias"),
                        at(p + "ln2.weight"), at(p + "ln2.bias"), at(p + "mlp.fc.weight"), at(p + "mlp.fc.bias"),
                        at(p + "mlp.proj.weight"), at(p + "mlp.proj.bias")});
  }
  v.ln_f_w = at("ln_f.weight");
  v.ln_f_b = at("ln_f.bias");
  // Tied embeddings have no unembed tensor: the logits read tok_emb, and in a gradient view its
  // gradient then collects both uses (the lookup and the logits). The explorer has neither (null).
  v.unembed = layout.find("unembed.weight") ? at("unembed.weight") : v.tok_emb;
  return v;
}

bool ends_with(const std::string& s, const char* suffix) {
  const std::string t(suffix);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

}  // namespace

ParamView<float> view(const ParamLayout& layout, float* arena) { return make_view(layout, arena); }
ParamView<const float> view(const ParamLayout& layout, const float* arena) { return make_view(layout, arena); }

void init_params(const ParamLayout& layout, const Arch& arch, std::uint64_t seed, float* arena) {
  const double residual_scale = 1.0 / std::sqrt(2.0 * arch.n_layers);
  for (std::size_t i = 0; i < layout.tensors.size(); ++i) {
    const ParamTensor& t = layout.tensors[i];
    float* data = arena + t.offset;
    const bool is_ln = t.name.find("ln") != std::string::npos && t.shape.size() == 1 &&
                       (t.name.find(".ln1.") != std::string::npos || t.name.find(".ln2.") != std::string::npos ||
                        t.name.rfind("ln_f.", 0) == 0);
    if (t.shape.size() == 1) {  // biases 0, LayerNorm weights 1
      const float value = is_ln && ends_with(t.name, ".weight") ? 1.0f : 0.0f;
      for (std::size_t j = 0; j < t.size; ++j) data[j] = value;
      continue;
    }
    double std_dev = 1.0 / std::sqrt(static_cast<double>(t.shape[1]));  // 1 / sqrt(fan_in)
    // Embeddings: N(0, 1), unless the token embedding is also the unembedding: then logits are
    // ln_f(x) . tok_emb[v] with ln_f(x) of unit scale, so rows of norm about 1 (std
    // 1/sqrt(d_model), positions alike) start the loss near log(vocab) instead of several times it.
    if (t.name == "tok_emb.weight" || t.name == "pos_emb.weight")
      std_dev = arch.tied_embeddings ? 1.0 / std::sqrt(static_cast<double>(arch.d_model)) : 1.0;
    if (ends_with(t.name, "out_proj.weight") || ends_with(t.name, "mlp.proj.weight")) std_dev *= residual_scale;
    detail::fill_normal(detail::mix(seed, i), data, static_cast<int>(t.size));
    for (std::size_t j = 0; j < t.size; ++j) data[j] = static_cast<float>(data[j] * std_dev);
  }
}

}  // namespace attn
