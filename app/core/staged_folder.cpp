// A folder of files replaced as a whole: stage beside it, then one rename or exchange.
#include "core/staged_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/output_dir.hpp"
#include "engine/file_io.hpp"

namespace app {

namespace fs = std::filesystem;

namespace {

// The first entry under `dir` that `owns` does not accept, as a path relative to the folder the
// set lives in, or "" when every entry is one the writer makes.
std::string foreign_entry(const fs::path& dir, const std::string& prefix, const OwnsEntry& owns) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw attn::FileError("cannot read folder " + dir.string() + ": " + ec.message());
  for (const fs::directory_entry& entry : it) {
    const std::string relative = prefix + entry.path().filename().string();
    const fs::file_status st = entry.symlink_status(ec);
    if (fs::is_directory(st)) {
      if (!owns(relative, true)) return relative + "/";
      const std::string inside = foreign_entry(entry.path(), relative + "/", owns);
      if (!inside.empty()) return inside;
    } else if (!fs::is_regular_file(st) || !owns(relative, false)) {
      return relative;
    }
  }
  return "";
}

// Deletes what `owns` accepts under `dir`, then `dir` itself if that left it empty. Returns
// false when something stayed.
bool remove_owned(const fs::path& dir, const std::string& prefix, const OwnsEntry& owns) {
  std::error_code ec;
  bool all = true;
  fs::directory_iterator it(dir, ec);
  if (ec) return false;
  for (const fs::directory_entry& entry : it) {
    const std::string relative = prefix + entry.path().filename().string();
    const fs::file_status st = entry.symlink_status(ec);
    if (fs::is_directory(st) && owns(relative, true)) {
      all = remove_owned(entry.path(), relative + "/", owns) && all;
    } else if (fs::is_regular_file(st) && owns(relative, false)) {
      all = fs::remove(entry.path(), ec) && all;
    } else {
      all = false;
    }
  }
  return all && ::rmdir(dir.c_str()) == 0;
}

// A path made absolute and free of "." and "..", without a trailing slash.
fs::path normal_path(const std::string& text) {
  std::error_code ec;
  fs::path p = fs::absolute(text, ec).lexically_normal();
  if (ec) throw attn::FileError("cannot write into " + text + ": " + ec.message());
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

// Whether `inner` is `outer` or inside it (both canonical).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

}  // namespace

StagedFolder::StagedFolder(const std::string& target, OwnsEntry owns) : m_owns(std::move(owns)) {
  fs::path path = normal_path(target);
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // follows a link: its folder is the target
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) throw attn::FileError("cannot write into " + target + ": it exists and is not a folder");
    path = fs::canonical(path, ec);
    if (ec) throw attn::FileError("cannot write into " + target + ": " + ec.message());
    if (path == path.root_path()) throw attn::FileError("cannot write into " + target + ": it is the root folder");
    // Replacing the folder a shell is in would leave that shell in a deleted folder.
    const fs::path cwd = fs::current_path(ec);
    if (!ec && is_within(fs::canonical(cwd, ec), path))
      throw attn::FileError("cannot replace " + target +
                            ": it is the current folder or holds it; give a folder below it");
    const std::string foreign = foreign_entry(path, "", m_owns);
    if (!foreign.empty())
      throw attn::FileError("cannot replace " + target + ": it holds " + foreign +
                            ", which this command did not write; choose a new or empty folder");
    m_target_exists = true;
  } else if (fs::is_symlink(fs::symlink_status(path, ec))) {
    throw attn::FileError("cannot write into " + target + ": it is a symbolic link to a missing folder");
  }
  m_target = path.string();
  const fs::path parent = path.parent_path();
  ensure_directory(parent.string());
  // Beside the target, so the final rename stays on one file system.
  std::string temp = (parent / ".attnlab-stage-XXXXXX").string();
  if (!::mkdtemp(temp.data()))
    throw attn::FileError("cannot write into " + target + ": cannot create a folder in " + parent.string() + ": " +
                          std::strerror(errno));
  m_temp = temp;
  // mkdtemp makes it private (0700); it should end as mkdir would make it, or as the old one was.
  mode_t mode = 0;
  struct stat old {};
  if (m_target_exists && ::stat(m_target.c_str(), &old) == 0) {
    mode = old.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0777 & ~mask;
  }
  ::chmod(m_temp.c_str(), mode);
}

StagedFolder::~StagedFolder() {
  if (m_committed || m_temp.empty()) return;
  std::error_code ec;
  fs::remove_all(m_temp, ec);  // made by mkdtemp above: only this run wrote into it
}

std::string StagedFolder::commit() {
  const auto fail = [&](const std::string& why) {
    throw attn::FileError("cannot move the new files into " + m_target + ": " + why);
  };
  if (!m_target_exists) {
    if (std::rename(m_temp.c_str(), m_target.c_str()) != 0) fail(std::strerror(errno));
    m_committed = true;
    return "";
  }
  // The two folders swap names in one step: there is no moment without a complete set.
  std::string old = m_temp;
  if (::renameat2(AT_FDCWD, m_temp.c_str(), AT_FDCWD, m_target.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno != EINVAL && errno != ENOSYS) fail(std::strerror(errno));
    // No exchange here: move the old set aside (onto an empty folder of a fresh name), the new
    // one into place, and the old one back if that fails.
    old = fs::path(m_target).parent_path() / ".attnlab-old-XXXXXX";
    if (!::mkdtemp(old.data())) fail(std::strerror(errno));
    if (std::rename(m_target.c_str(), old.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      ::rmdir(old.c_str());
      fail(why);
    }
    if (std::rename(m_temp.c_str(), m_target.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      std::rename(old.c_str(), m_target.c_str());
      fail(why);
    }
  }
  m_committed = true;
  if (!remove_owned(old, "", m_owns))
    return "the earlier files were left in " + old + ": it held files this command did not write";
  return "";
}

}  // namespace app
