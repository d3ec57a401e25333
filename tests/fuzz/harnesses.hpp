// The body of every fuzz target, shared by the libFuzzer mains (tests/fuzz/*_fuzz.cpp) and the
// corpus replay test of the normal suite, so the inputs that once crashed keep being run by gcc.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace app::fuzz {

// Each takes one input as bytes, feeds it to a reader the way the app does, and checks what must
// hold for every input. The exceptions a reader documents for bad input (attn::FileError,
// std::invalid_argument, cli::UsageError) are caught inside; any other exception escapes, and a
// broken invariant aborts with a message, so both count as a crash.
void tokenizer(const std::uint8_t* data, std::size_t size);    // both modes, span invariants
void npy(const std::uint8_t* data, std::size_t size);          // float32, int32 and byte arrays
void npz(const std::uint8_t* data, std::size_t size);          // zip: stored, deflate, ZIP64
void weights(const std::uint8_t* data, std::size_t size);      // --weights W.npz, then a forward
void checkpoint(const std::uint8_t* data, std::size_t size);   // --model CKPT.npz, then a forward
void session(const std::uint8_t* data, std::size_t size);      // sessions and settings.json
void config_json(const std::uint8_t* data, std::size_t size);  // "config" and numeric JSON keys
void cli(const std::uint8_t* data, std::size_t size);          // argv split on NUL or newline
void gpt2(const std::uint8_t* data, std::size_t size);       // a safetensors file, or config.json if it starts with '{'
void bpe_files(const std::uint8_t* data, std::size_t size);  // vocab.json NUL merges.txt
void bpe_json(const std::uint8_t* data, std::size_t size);   // a trained BPE.json
void bpe_encode(const std::uint8_t* data, std::size_t size);  // GPT-2's BPE: decode(encode(s)) == s

struct Target {
  const char* name;  // the folder under tests/fuzz/corpus and tests/fuzz/regressions
  void (*run)(const std::uint8_t* data, std::size_t size);
};
// Every target, for the replay test (one place: a new target is added here and nowhere else).
const std::vector<Target>& targets();

}  // namespace app::fuzz
