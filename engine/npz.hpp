// Minimal ZIP reading/writing for .npz archives (stored and deflate entries, ZIP64 extras).
#pragma once
#include <map>
#include <string>

namespace attn {

// name (without ".npy") -> raw .npy bytes. Throws FileError (naming `what`, usually the path)
// for a truncated or corrupt archive, an unsupported compression method or a CRC mismatch.
std::map<std::string, std::string> npz_read(const std::string& archive_bytes, const std::string& what);
// Entries are written stored (uncompressed) as "<name>.npy".
std::string npz_write(const std::map<std::string, std::string>& entries);

}  // namespace attn
