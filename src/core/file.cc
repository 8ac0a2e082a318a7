#include "core/file.h"

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

}  // namespace rampart
