// Writing a set of files as a whole: they are written into a temporary folder beside the target
// and moved into place at once, so a failure part-way never leaves new files beside old ones.
#pragma once
#include <functional>
#include <string>

namespace app {

// Whether an entry of an existing target folder is one the writer makes, so that it may be
// replaced with the new set: `relative` is its path inside the folder ("q.npy",
// "layer0/q.npy"), `is_folder` whether it is a folder (a regular file otherwise).
using OwnsEntry = std::function<bool(const std::string& relative, bool is_folder)>;

class StagedFolder {
 public:
  // Checks the target and makes the temporary folder ".attnlab-stage-XXXXXX" beside it (its
  // parents are created when missing). The target must be missing, or a folder (or a link to
  // one) holding only regular files and folders that `owns` accepts: an earlier run's set.
  // Anything else — a file the writer does not make, a FIFO, the current folder — is refused
  // with attn::FileError naming it, and nothing is touched.
  StagedFolder(const std::string& target, OwnsEntry owns);
  // Not committed: removes the temporary folder with what was written into it.
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  const std::string& path() const { return m_temp; }      // write the new set here
  const std::string& target() const { return m_target; }  // the folder it becomes (links resolved)
  // Puts the new set in place as a whole: one rename when the target is missing, else one
  // atomic exchange of the two folders (where the file system cannot exchange: the old folder
  // is renamed aside, the new one into place, and the old one back should that fail). The
  // earlier set is then deleted, entry by entry, only what `owns` accepts. Throws
  // attn::FileError; the earlier set is then as it was. Returns a note for the person when the
  // earlier set could not be deleted (e.g. a file was added to it meanwhile), else "".
  std::string commit();

 private:
  std::string m_target, m_temp;
  OwnsEntry m_owns;
  bool m_target_exists = false, m_committed = false;
};

}  // namespace app
