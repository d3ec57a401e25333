// Train mode's text tasks: the bundled English corpus or a person's own text file, read through a
// byte-level BPE learned on that text first (the command line's default size). Making one takes
// a few seconds, so the training worker does it, saying so on screen while it happens.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/train/text_task.hpp"

namespace app {

// The BPE the window learns: `attnlab train --task text`'s default vocabulary.
inline constexpr int kTextBpeVocab = 4096;
// What the BPE is learned from at most: the first 64 MiB of the training text (a larger file
// still trains in full: the task reads it at random places, never whole).
inline constexpr std::uint64_t kTextBpeCountBytes = 64ull << 20;

// The shortest text file Train mode takes: its last 2% is held out, and that part must hold a few
// sequences (attn::kMinTextCorpusBytes).
inline constexpr std::uint64_t kMinTextFileBytes = 16u << 10;

// The task list's names for the two sources: "" is the English corpus, anything else a file.
inline constexpr const char* kEnglishTextLabel = "English text";
inline constexpr const char* kTextFileLabel = "a text file\xE2\x80\xA6";

// The text's files: for "" the English corpus of the data folder (its training and held-out
// files), else the file alone (its last 2% held out). Throws attn::FileError naming the file and
// what is wrong: the English corpus not built (and how to build it: bash bootstrap.sh corpus), a
// missing, empty, binary or non-UTF-8 file, a folder, a FIFO or a device, a file under
// kMinTextFileBytes.
attn::TextTaskOptions text_corpus(const std::string& file);

// "the English corpus" or the file's name, for messages.
std::string text_source_name(const std::string& file);

// The whole text task for `file` (as text_corpus): checks the files, learns a BPE of
// kTextBpeVocab tokens on the training text's first kTextBpeCountBytes (calling `status` with
// what it is doing first) and opens the task. Throws as text_corpus, and std::invalid_argument
// naming the file when it is too short to train on.
std::unique_ptr<attn::TextTask> make_text_task(const std::string& file,
                                               const std::function<void(const std::string&)>& status);

}  // namespace app
