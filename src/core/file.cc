#include "core/file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rampart {

Result<std::string> ReadWholeFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound(path + ": cannot read the " + std::string(what));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return IoError(path + ": read error in the " + std::string(what));
  }
  return text.str();
}

Status ListYamlFiles(const std::string& path,
                     std::string_view what,
                     std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return NotFound(std::string(what) + " not found: " + path);
  }
  if (!fs::is_directory(st)) {
    out->push_back(path);
    return Status::Ok();
  }
  auto is_yaml = [](const fs::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".yml" || ext == ".yaml";
  };
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(path, ec);
  if (ec) {
    return IoError("cannot list " + path + ": " + ec.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      return IoError("cannot list " + path + ": " + ec.message());
    }
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_regular_file() && is_yaml(it->path())) {
      found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return Status::Ok();
}

}  // namespace rampart
