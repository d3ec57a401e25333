// The one message for a training run that would not fit in memory.
#include "core/train_memory.hpp"

#include "core/train_host.hpp"  // kTimelineBytes
#include "engine/file_limits.hpp"

namespace app {

TrainingNeed training_need(const attn::Arch& arch, const attn::RunOptions& run, const attn::TrainSettings& settings,
                           std::uint64_t copies) {
  return TrainingNeed{attn::training_memory(arch, run, settings), copies};
}

std::string training_memory_refusal(const TrainingNeed& need, const attn::TrainSettings& settings,
                                    std::optional<std::uint64_t> available) {
  const std::uint64_t total = need.total();
  const bool over_limit = total > attn::kMaxTrainingBytes;
  const bool over_machine = available && total > *available;
  if (!over_limit && !over_machine) return "";
  const attn::TrainingMemory& t = need.trainer;
  std::string s = "training needs about " + attn::bytes_text(total) + " of memory (" +
                  attn::bytes_text(t.activations + t.backward) + " for batch " + std::to_string(settings.batch) +
                  " x " + std::to_string(settings.seq_len) + " tokens, " + attn::bytes_text(t.evaluation) +
                  " for the held-out batch, " + attn::bytes_text(t.parameters + need.copies) +
                  " for parameters, gradients, AdamW and snapshots)";
  const std::string machine = available ? attn::bytes_text(*available) + " available" : "an unknown amount available";
  if (over_machine)
    s += " but the machine has " + machine;
  else
    s += ", more than a run may use (" + attn::bytes_text(attn::kMaxTrainingBytes) + "; the machine has " + machine +
         ")";
  return s + ": lower the batch or the sequence length";
}

std::string window_training_refusal(const attn::Arch& arch, const attn::RunOptions& run,
                                    const attn::TrainSettings& settings, std::optional<std::uint64_t> available) {
  const std::uint64_t params_bytes = attn::ParamLayout::of(arch).total * sizeof(float);
  // The timeline holds at most kTimelineBytes; the newest progress and the frame's copy of it a
  // few more parameter copies.
  const std::string refusal = training_memory_refusal(
      training_need(arch, run, settings, kTimelineBytes + 4 * params_bytes), settings, available);
  return refusal.empty() ? "" : "Not started: " + refusal;
}

}  // namespace app
