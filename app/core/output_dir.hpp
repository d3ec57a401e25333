// Making sure an output folder exists, or an output file can be written, before the work that
// fills it starts.
#pragma once
#include <string>

namespace app {

// Creates dir and its parents when missing (like mkdir -p). Throws attn::FileError naming the
// folder and the reason when it cannot, or when the path is not a folder.
void ensure_directory(const std::string& dir);

// Whether attn::write_file_atomic(path, ...) can succeed, asked before a long job rather than
// after it: the name is not empty, not a folder's ("x/"), each part at most NAME_MAX (255) bytes
// and the whole within PATH_MAX; what is there, if anything, is a regular file (or a link to one);
// its folder exists and this user may create files in it. Throws attn::FileError naming the path
// and the reason. A disk that fills up later can still fail the write.
void check_output_file(const std::string& path);

}  // namespace app
