// How large a file attnlab reads may be, derived from the largest model it allows, so that a
// crafted archive cannot claim (or inflate to) more memory than any real model needs.
#pragma once
#include <cstdint>

#include "engine/config.hpp"
#include "engine/model/arch.hpp"

namespace attn {

namespace detail {
constexpr std::uint64_t kMiB = 1024 * 1024;
// The explorer at its limits: d_model 1024, 32 heads of d_head 1024 (inner width I = 32768).
constexpr std::uint64_t kExplorerE = kMaxDModel, kExplorerI = std::uint64_t{kMaxHeads} * kMaxDHead;
// A trained model at its limits: 12 layers, d_model 1024, 32 heads of 256, MLP (4 x d_model),
// a 65,536-token vocabulary with its own unembedding, 1,024 positions.
constexpr std::uint64_t kTrainE = kMaxTrainDModel, kTrainI = std::uint64_t{kMaxTrainHeads} * kMaxTrainDHead;
constexpr std::uint64_t kTrainBlockFloats = 4 * kTrainE                             // ln1, ln2 weight and bias
                                            + 3 * kTrainI * kTrainE + 3 * kTrainI   // in_proj
                                            + kTrainE * kTrainI + kTrainE           // out_proj
                                            + 8 * kTrainE * kTrainE + 5 * kTrainE;  // mlp fc and proj
constexpr std::uint64_t kTrainModelFloats = 2 * std::uint64_t{kMaxVocab} * kTrainE  // tok_emb, unembed
                                            + std::uint64_t{kMaxSeqLen} * kTrainE   // pos_emb
                                            + kMaxLayers * kTrainBlockFloats + 2 * kTrainE;
}  // namespace detail

// The largest array any attnlab model holds: the explorer's in_proj_weight (3·I, E) at its
// limits, 384 MiB of float32.
inline constexpr std::uint64_t kLargestTensorBytes = 3 * detail::kExplorerI * detail::kExplorerE * sizeof(float);
// The largest whole model: a trained model at its limits, about 2.4 GiB (the explorer's four
// tensors at their limits are 512.4 MiB).
inline constexpr std::uint64_t kExplorerModelBytes =
    (4 * detail::kExplorerI * detail::kExplorerE + 3 * detail::kExplorerI + detail::kExplorerE) * sizeof(float);
inline constexpr std::uint64_t kLargestModelBytes = detail::kTrainModelFloats * sizeof(float) > kExplorerModelBytes
                                                        ? detail::kTrainModelFloats * sizeof(float)
                                                        : kExplorerModelBytes;
static_assert(detail::kTrainE * detail::kTrainI * 3 * sizeof(float) <= kLargestTensorBytes &&
                  std::uint64_t{kMaxVocab} * detail::kTrainE * sizeof(float) <= kLargestTensorBytes,
              "the largest trained model's tensors must fit the archive's entry limit too");

// One .npz entry, inflated: the largest array plus 1 MiB for its .npy header (numpy's are a
// few hundred bytes). 385 MiB.
inline constexpr std::uint64_t kMaxNpzEntryBytes = kLargestTensorBytes + detail::kMiB;
// A whole .npz: the file's size, and separately the sum of its entries' inflated sizes — the
// largest model plus 32 MiB for headers, ZIP records and a checkpoint's JSON. About 2.4 GiB.
inline constexpr std::uint64_t kMaxNpzBytes = kLargestModelBytes + 32 * detail::kMiB;

// The most memory one training run may ask for (attn::training_memory(...).total()), whatever
// the machine has: 8 GiB. The arch and settings limits alone allow runs of ~160 GB (4 layers of
// 16 heads of 256 at batch 1024 x 256 tokens: attention weights grow with batch x seq_len x
// seq_len x heads), and a checkpoint's `train` settings are what the window trains it with, so
// `train` refuses such a run and the checkpoint reader refuses such settings, naming the keys.
inline constexpr std::uint64_t kMaxTrainingBytes = std::uint64_t{8} * 1024 * detail::kMiB;

}  // namespace attn
