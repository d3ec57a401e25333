// Will a training run fit? The engine's estimate of what it allocates, against the limit every
// run has and the memory the machine has available, before the first allocation; `train` and the
// window's training worker ask the same question and give the same answer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "engine/train/trainer.hpp"

namespace app {

// Bytes a run needs: the trainer's (attn::training_memory) plus `copies` extra copies of the
// parameters a caller keeps (movie frames, the window's snapshots and timeline).
struct TrainingNeed {
  attn::TrainingMemory trainer;
  std::uint64_t copies = 0;
  std::uint64_t total() const { return trainer.total() + copies; }
};

TrainingNeed training_need(const attn::Arch& arch, const attn::RunOptions& run, const attn::TrainSettings& settings,
                           std::uint64_t copies);

// Empty when the run fits; else one sentence naming what it needs (and what most of it is for),
// the limit it breaks (attn::kMaxTrainingBytes) or what `available` says the machine has
// (nullopt: unknown, then only the limit applies), and what to lower.
std::string training_memory_refusal(const TrainingNeed& need, const attn::TrainSettings& settings,
                                    std::optional<std::uint64_t> available);

// The window's question, asked by its train controls (before they start anything) and by the
// training worker (before it allocates): a run of `arch` (as attn::trained_arch makes it) beside
// the window's own copies of the parameters (the timeline, published snapshots). Empty, or
// "Not started: training needs about ...".
std::string window_training_refusal(const attn::Arch& arch, const attn::RunOptions& run,
                                    const attn::TrainSettings& settings, std::optional<std::uint64_t> available);

}  // namespace app
