#include "core/yaml_documents.h"

namespace rampart {
namespace {

// "---" or "..." at the start of a line, followed by a blank or the end of the line: the
// document markers exactly as yaml-cpp's scanner recognises them.
bool IsMarker(std::string_view text, size_t pos, std::string_view marker) {
  if (text.substr(pos, 3) != marker) {
    return false;
  }
  if (pos + 3 == text.size()) {
    return true;
  }
  char c = text[pos + 3];
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A line with YAML content: not blank, not a comment, not a directive.
bool IsContentLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) {
    ++i;
  }
  return i < line.size() && line[i] != '#' && !(i == 0 && line[i] == '%');
}

}  // namespace

std::vector<YamlPiece> SplitYamlDocuments(std::string_view text) {
  std::vector<YamlPiece> pieces;
  YamlPiece cur;
  bool content = false;  // cur has content: a "---" now starts a new document
  uint32_t line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    if (IsMarker(text, pos, "---")) {
      if (content) {
        cur.end = pos;
        pieces.push_back(cur);
        cur = YamlPiece{pos, 0, line};
      }
      // "--- value" has content on the marker line itself.
      content = IsContentLine(text.substr(pos + 3, next - pos - 3));
    } else if (IsMarker(text, pos, "...")) {
      cur.end = next;
      pieces.push_back(cur);
      cur = YamlPiece{next, 0, line + 1};
      content = false;
    } else {
      content = content || IsContentLine(text.substr(pos, next - pos));
    }
    pos = next;
    ++line;
  }
  cur.end = text.size();
  if (cur.end > cur.begin) {
    pieces.push_back(cur);
  }
  return pieces;
}

}  // namespace rampart
