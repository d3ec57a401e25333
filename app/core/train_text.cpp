// The English corpus or a text file -> a BPE learned on it -> the text task.
#include "core/train_text.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/data_dir.hpp"
#include "engine/file_io.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/train/trainer.hpp"

namespace app {

attn::TextTaskOptions text_corpus(const std::string& file) {
  attn::TextTaskOptions options;
  if (file.empty()) {
    const std::string dir = data_dir().path + "/corpus/english";
    options.train_files = {dir + "/english-train.txt"};
    options.heldout_files = {dir + "/english-heldout.txt"};
    std::error_code ec;
    for (const std::string& f : {options.train_files[0], options.heldout_files[0]})
      if (!std::filesystem::exists(f, ec))
        throw attn::FileError("The English corpus is not built (" + f +
                              " is missing): run bash bootstrap.sh corpus in the source folder, then choose "
                              "English text again");
  } else {
    options.train_files = {file};
  }
  for (const std::string& f : options.train_files) attn::check_text_file(f);
  for (const std::string& f : options.heldout_files) attn::check_text_file(f);
  struct stat st {};
  if (!file.empty() && ::stat(file.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) < kMinTextFileBytes)
    throw attn::FileError(file + " is too short to train on: " + std::to_string(st.st_size) +
                          " bytes, and Train mode needs at least " + attn::bytes_text(kMinTextFileBytes) +
                          " of text (its last 2% is held out to measure the model)");
  return options;
}

std::string text_source_name(const std::string& file) {
  return file.empty() ? "the English corpus" : std::filesystem::path(file).filename().string();
}

std::unique_ptr<attn::TextTask> make_text_task(const std::string& file,
                                               const std::function<void(const std::string&)>& status) {
  const attn::TextTaskOptions options = text_corpus(file);
  std::uint64_t bytes = 0;
  for (const std::string& f : options.train_files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) bytes += static_cast<std::uint64_t>(st.st_size);
  }
  const bool part = bytes > kTextBpeCountBytes;
  status("Learning a BPE of " + std::to_string(kTextBpeVocab) + " tokens from " +
         (part ? "the first " + attn::bytes_text(kTextBpeCountBytes) + " of " : std::string()) +
         text_source_name(file) + " (" + attn::bytes_text(bytes) + ")\xE2\x80\xA6");
  attn::PieceCounts counts;
  std::uint64_t left = kTextBpeCountBytes;
  for (const std::string& f : options.train_files) {
    if (left == 0) break;
    const std::uint64_t before = counts.bytes();
    counts.add_file(f, left);
    left -= std::min(left, counts.bytes() - before);
  }
  attn::Bpe bpe = attn::train_bpe(counts, static_cast<std::size_t>(kTextBpeVocab)).bpe;
  return std::make_unique<attn::TextTask>(std::move(bpe), options);
}

}  // namespace app
