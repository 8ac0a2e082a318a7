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

Status ForEachYamlFile(
    const std::vector<std::string>& paths,
    std::string_view what,
    size_t max_bytes,
    std::vector<std::string>* problems,
    std::vector<std::string>* files,
    const std::function<void(const std::string& file, std::string_view text)>& parse) {
  std::vector<std::string> listed;
  for (const std::string& p : paths) {
    RAMPART_RETURN_IF_ERROR(ListYamlFiles(p, std::string(what) + " path", &listed));
  }
  for (const std::string& f : listed) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(f, ec);
    if (!ec && size > max_bytes) {
      problems->push_back(f + ":1: file too large for a " + std::string(what) + " file");
      continue;
    }
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(f, std::string(what) + " file"));
    parse(f, text);
    if (files != nullptr) {
      files->push_back(f);
    }
  }
  return Status::Ok();
}

}  // namespace rampart
