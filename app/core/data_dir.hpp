// Where attnlab's read-only data (the lesson models) lives, so that an installed attnlab and one
// run from its build tree each find their own copy, and ATTNLAB_DATA_DIR can point elsewhere.
#pragma once
#include <string>

namespace app {

enum class DataDirSource { Environment, Installed, SourceTree };

struct DataDir {
  std::string path;  // holds models/; no trailing slash
  DataDirSource source = DataDirSource::SourceTree;
};

// The lookup order, with its inputs passed in so tests can try each case:
//   1. env_value (ATTNLAB_DATA_DIR) when set and not empty, taken as given;
//   2. <folder of exe>/<installed_from_bin> (../share/attnlab) when that folder exists;
//   3. source_tree_assets (the source tree's assets/, for a binary run from its build tree).
// exe is the running binary's path (empty when unknown: step 2 is skipped).
DataDir find_data_dir(const char* env_value, const std::string& exe, const std::string& installed_from_bin,
                      const std::string& source_tree_assets);

// find_data_dir for this process: $ATTNLAB_DATA_DIR, /proc/self/exe and the paths compiled in.
DataDir data_dir();

}  // namespace app
