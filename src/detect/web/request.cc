#include "detect/web/request.h"

#include <array>
#include <cstring>

#include <simdjson.h>

#include "core/field_dict.h"
#include "core/strings.h"

namespace rampart::detect::web {
namespace {

constexpr std::array<std::string_view, kPartKindCount> kPartKindNames = {
    "method",  "uri",          "path",    "query_string", "arg_names", "args",    "header_names",
    "headers", "cookie_names", "cookies", "body",         "filenames", "prompts", "protocol",
};

// Body Log keys the parser maps to ECS fields, and the header each one was.
struct MappedHeader {
  FieldId id;
  std::string_view header;
};
constexpr std::array<MappedHeader, 8> kMappedHeaders = {{
    {field::kUserAgentOriginal, "user-agent"},
    {field::kHttpRequestReferrer, "referer"},
    {field::kHttpRequestContentType, "content-type"},
    {field::kHttpRequestAuthorization, "authorization"},
    {field::kHttpRequestCookie, "cookie"},
    {field::kHttpRequestApiKey, "x-api-key"},
    {field::kHttpRequestXForwardedFor, "x-forwarded-for"},
    {field::kUrlDomain, "host"},
}};

constexpr uint8_t kFieldUnknown = 0;
constexpr uint8_t kFieldHeader = 1;
constexpr uint8_t kFieldOther = 2;

std::string_view Between(std::string_view s, size_t begin, size_t end) {
  return s.substr(begin, end - begin);
}

// The value of `param` in a header value such as `multipart/form-data; boundary="x"`.
std::string_view HeaderParam(std::string_view value, std::string_view param) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t semi = value.find(';', pos);
    if (semi == std::string_view::npos) {
      semi = value.size();
    }
    std::string_view item = Trim(Between(value, pos, semi));
    pos = semi + 1;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || !EqualsIgnoreCase(Trim(item.substr(0, eq)), param)) {
      continue;
    }
    std::string_view v = Trim(item.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"') {
      const size_t close = v.find('"', 1);
      v = v.substr(1, close == std::string_view::npos ? v.size() - 1 : close - 1);
    }
    return v;
  }
  return {};
}

bool IsJsonText(std::string_view body) {
  const std::string_view t = Trim(body);
  return !t.empty() && (t.front() == '{' || t.front() == '[');
}

bool IsXmlText(std::string_view body) {
  const std::string_view t = Trim(body);
  return t.size() > 1 && t.front() == '<' &&
         (t[1] == '?' || t[1] == '!' || (t[1] >= 'a' && t[1] <= 'z') ||
          (t[1] >= 'A' && t[1] <= 'Z'));
}

// What a JSON string at `path` is to the rules. LLM API fields (OpenAI, Anthropic, Gemini,
// Ollama shapes) are text for a model only; fields that are chat text in some APIs and form
// data in others (a contact form's "message") are read as both.
enum class JsonText : uint8_t { kArg, kPrompt, kBoth };

JsonText ClassifyJsonPath(std::string_view path) {
  static constexpr std::array<std::string_view, 17> kPromptPaths = {
      "prompt",
      "query",  // also GraphQL's, whose field calls (`user(id: 5)`) read as SQL functions
      "input",
      "messages.content",
      "messages.content.text",
      "input.content",
      "input.content.text",
      "system",
      "system.text",
      "instructions",
      "messages.tool_calls.function.arguments",
      "messages.function_call.arguments",
      "messages.content.input",  // Anthropic tool_use input
      "contents.parts.text",
      "systemInstruction.parts.text",
      "prompt.text",
      "inputs",
  };
  static constexpr std::array<std::string_view, 4> kBothPaths = {
      "message",
      "question",
      "text",
      "instruction",
  };
  for (std::string_view p : kPromptPaths) {
    if (path == p) {
      return JsonText::kPrompt;
    }
  }
  for (std::string_view p : kBothPaths) {
    if (path == p) {
      return JsonText::kBoth;
    }
  }
  return JsonText::kArg;
}

}  // namespace

std::string_view PartKindName(PartKind k) {
  return kPartKindNames[static_cast<size_t>(k)];
}

std::string RequestFlagNames(uint32_t flags) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "too_many_parts", "body_over_limit", "too_deep",  "bad_json",
      "bad_multipart",  "bad_xml",         "long_name", "logged_truncated"};
  std::string out;
  for (size_t i = 0; i < kNames.size(); ++i) {
    if ((flags & (1u << i)) != 0) {
      if (!out.empty()) {
        out += ',';
      }
      out += kNames[i];
    }
  }
  return out;
}

struct RequestView::JsonState {
  simdjson::dom::parser parser;
  std::string padded;  // the body with simdjson's padding
  std::string path;
};

RequestView::RequestView(RequestLimits limits)
    : limits_(limits), arena_(size_t{16} * 1024), json_(std::make_unique<JsonState>()) {
  parts_.reserve(64);
}

RequestView::~RequestView() = default;

void RequestView::AddPart(PartKind kind,
                          ArgSource source,
                          std::string_view name,
                          std::string_view value) {
  if (parts_.size() >= limits_.max_parts) {
    flags_ |= kFlagTooManyParts;
    return;
  }
  parts_.push_back(Part{kind, source, name, value});
}

void RequestView::AddHeader(std::string_view lower_name, std::string_view value) {
  AddPart(PartKind::kHeaderName, ArgSource::kNone, lower_name, lower_name);
  AddPart(PartKind::kHeaderValue, ArgSource::kNone, lower_name, value);
}

std::string_view RequestView::Header(std::string_view lower_name) const {
  for (const Part& p : parts_) {
    if (p.kind == PartKind::kHeaderValue && p.name == lower_name) {
      return p.value;
    }
  }
  return {};
}

bool RequestView::HasHeader(std::string_view lower_name) const {
  for (const Part& p : parts_) {
    if (p.kind == PartKind::kHeaderName && p.name == lower_name) {
      return true;
    }
  }
  return false;
}

bool RequestView::Build(const EventBatch& batch, const Event& event) {
  parts_.clear();
  arena_.Reset();
  flags_ = 0;
  method_ = uri_ = path_ = query_ = protocol_ = host_ = content_type_ = body_ = {};
  status_ = 0;
  from_body_log_ = event.dataset == "nginx.body";

  std::string_view cookie;
  std::string_view content_length;
  for (const Field& f : batch.fields(event)) {
    switch (f.id) {
      case field::kHttpRequestMethod:
        method_ = f.value;
        continue;
      case field::kUrlOriginal:
        uri_ = f.value;
        continue;
      case field::kHttpVersion:
        protocol_ = f.value;
        continue;
      case field::kHttpRequestBodyContent:
        body_ = f.value;
        continue;
      case field::kHttpResponseStatusCode:
        (void)ParseInt(f.value, &status_);
        continue;
      default:
        break;
    }
    for (const MappedHeader& m : kMappedHeaders) {
      if (m.id == f.id) {
        AddHeader(m.header, f.value);
        if (m.id == field::kHttpRequestCookie) {
          cookie = f.value;
        } else if (m.id == field::kHttpRequestContentType) {
          content_type_ = f.value;
        } else if (m.id == field::kUrlDomain) {
          host_ = f.value;
        }
        break;
      }
    }
    // Any other header arrives as http_<name> (nginx's variable naming).
    if (f.id >= field_known_.size()) {
      field_known_.resize(f.id + 1, kFieldUnknown);
      header_of_field_.resize(f.id + 1);
    }
    if (field_known_[f.id] == kFieldUnknown) {
      const std::string_view name = FieldDict::Name(f.id);
      if (StartsWith(name, "http_") && name.size() > 5) {
        std::string lower = ToLower(name.substr(5));
        for (char& c : lower) {
          c = c == '_' ? '-' : c;
        }
        header_names_.push_back(std::move(lower));  // a deque: earlier views stay valid
        header_of_field_[f.id] = header_names_.back();
        field_known_[f.id] = kFieldHeader;
      } else {
        field_known_[f.id] = kFieldOther;
      }
    }
    if (field_known_[f.id] == kFieldHeader) {
      const std::string_view header = header_of_field_[f.id];
      AddHeader(header, f.value);
      if (header == "content-length") {
        content_length = f.value;
      }
    }
  }
  if (method_.empty() && uri_.empty()) {
    return false;
  }

  if (!method_.empty()) {
    AddPart(PartKind::kMethod, ArgSource::kNone, {}, method_);
  }
  if (!protocol_.empty()) {
    AddPart(PartKind::kProtocol, ArgSource::kNone, {}, protocol_);
  }
  const size_t q = uri_.find('?');
  path_ = uri_.substr(0, q);
  if (q != std::string_view::npos) {
    query_ = uri_.substr(q + 1);
  }
  AddPart(PartKind::kUri, ArgSource::kNone, {}, uri_);
  AddPart(PartKind::kPath, ArgSource::kNone, {}, path_);
  if (!query_.empty()) {
    AddPart(PartKind::kQueryString, ArgSource::kNone, {}, query_);
    ParseQuery(query_, ArgSource::kQuery);
  }
  if (!cookie.empty()) {
    ParseCookies(cookie);
  }
  if (!body_.empty()) {
    if (body_.size() > limits_.max_body_bytes) {
      flags_ |= kFlagBodyOverLimit;
      body_ = body_.substr(0, limits_.max_body_bytes);
    }
    uint64_t declared = 0;
    if (!content_length.empty() && ParseInt(Trim(content_length), &declared) &&
        declared > body_.size() && !(flags_ & kFlagBodyOverLimit)) {
      flags_ |= kFlagLoggedTruncated;
    }
    const size_t body_part = parts_.size();
    AddPart(PartKind::kBody, ArgSource::kNone, {}, body_);
    // A JSON or form body is all in its parameters: scanning its raw text as well would only
    // scan the same bytes twice. Other bodies (XML, multipart, unknown) keep the raw part.
    if (ParseBody() && body_part < parts_.size()) {
      parts_[body_part].value = {};
    }
  }
  return true;
}

void RequestView::ParseQuery(std::string_view query, ArgSource source) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) {
      amp = query.size();
    }
    const std::string_view pair = Between(query, pos, amp);
    pos = amp + 1;
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    AddPart(PartKind::kArgName, source, name, name);
    AddPart(PartKind::kArgValue, source, name, value);
  }
}

void RequestView::ParseCookies(std::string_view cookie) {
  size_t pos = 0;
  while (pos < cookie.size()) {
    size_t semi = cookie.find(';', pos);
    if (semi == std::string_view::npos) {
      semi = cookie.size();
    }
    const std::string_view pair = Trim(Between(cookie, pos, semi));
    pos = semi + 1;
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    const std::string_view name = Trim(pair.substr(0, eq));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : Trim(pair.substr(eq + 1));
    AddPart(PartKind::kCookieName, ArgSource::kNone, name, name);
    AddPart(PartKind::kCookieValue, ArgSource::kNone, name, value);
  }
}

bool RequestView::ParseBody() {
  const std::string_view type = content_type_;
  if (ContainsIgnoreCase(type, "multipart/")) {
    ParseMultipart(body_);
  } else if (ContainsIgnoreCase(type, "json") ||
             (!ContainsIgnoreCase(type, "xml") && !ContainsIgnoreCase(type, "form") &&
              IsJsonText(body_))) {
    const uint32_t before = flags_;
    ParseJson(body_);
    return (flags_ & ~before) == 0;  // parsed whole: no bad JSON, no limit reached
  } else if (ContainsIgnoreCase(type, "xml") || IsXmlText(body_)) {
    ParseXml(body_);
  } else if (ContainsIgnoreCase(type, "x-www-form-urlencoded") || type.empty() ||
             body_.find('=') != std::string_view::npos) {
    // Forms, and bodies of unknown type that may be one: a value of an odd content type is
    // still looked at parameter by parameter.
    const uint32_t before = flags_;
    ParseQuery(body_, ArgSource::kForm);
    return ContainsIgnoreCase(type, "x-www-form-urlencoded") && (flags_ & ~before) == 0;
  }
  return false;
}

// ---- JSON -----------------------------------------------------------------------------

namespace {

struct JsonWalker {
  RequestView* view;
  Arena* arena;
  std::string* path;
  int max_depth;
  size_t max_name;
  uint32_t* flags;
  std::vector<Part>* parts;
  size_t max_parts;

  void Add(PartKind kind, std::string_view name, std::string_view value) {
    if (parts->size() >= max_parts) {
      *flags |= kFlagTooManyParts;
      return;
    }
    parts->push_back(Part{kind, ArgSource::kJson, name, value});
  }

  void Walk(simdjson::dom::element e, int depth) {
    if (depth > max_depth) {
      *flags |= kFlagTooDeep;
      return;
    }
    switch (e.type()) {
      case simdjson::dom::element_type::OBJECT: {
        simdjson::dom::object object;
        if (e.get_object().get(object) != simdjson::SUCCESS) {
          return;
        }
        for (auto [key, value] : object) {
          const size_t mark = path->size();
          if (!path->empty()) {
            path->push_back('.');
          }
          path->append(key);
          if (path->size() > max_name) {
            *flags |= kFlagNameTooLong;
            path->resize(max_name);
          }
          const std::string_view name = arena->Copy(*path);
          Add(PartKind::kArgName, name, arena->Copy(key));
          Walk(value, depth + 1);
          path->resize(mark);
        }
        return;
      }
      case simdjson::dom::element_type::ARRAY: {
        simdjson::dom::array array;
        if (e.get_array().get(array) != simdjson::SUCCESS) {
          return;
        }
        for (simdjson::dom::element item : array) {
          Walk(item, depth + 1);
        }
        return;
      }
      case simdjson::dom::element_type::STRING: {
        const std::string_view s = e.get_string().value_unsafe();
        const std::string_view name = arena->Copy(*path);
        // Text for an LLM is read by the llm rules only: a chat quotes code, SQL and shell
        // by nature, and the injection rules would flag every such question.
        const JsonText kind = ClassifyJsonPath(*path);
        if (kind != JsonText::kArg) {
          Add(PartKind::kPrompt, name, s);
        }
        if (kind != JsonText::kPrompt) {
          Add(PartKind::kArgValue, name, s);
        }
        return;
      }
      default: {
        // Numbers, booleans, null: their text matters to the endpoint model (type checks).
        const std::string_view name = arena->Copy(*path);
        std::string_view text;
        switch (e.type()) {
          case simdjson::dom::element_type::BOOL:
            text = e.get_bool().value_unsafe() ? "true" : "false";
            break;
          case simdjson::dom::element_type::NULL_VALUE:
            text = "null";
            break;
          case simdjson::dom::element_type::INT64:
            text = arena->Copy(std::to_string(e.get_int64().value_unsafe()));
            break;
          case simdjson::dom::element_type::UINT64:
            text = arena->Copy(std::to_string(e.get_uint64().value_unsafe()));
            break;
          default: {
            char buf[32];
            const int n = std::snprintf(buf, sizeof buf, "%.17g", e.get_double().value_unsafe());
            text = arena->Copy(std::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0));
            break;
          }
        }
        Add(PartKind::kArgValue, name, text);
        return;
      }
    }
  }
};

}  // namespace

void RequestView::ParseJson(std::string_view body) {
  JsonState& j = *json_;
  j.padded.assign(body);
  j.padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element root;
  if (j.parser.parse(j.padded.data(), body.size(), false).get(root) != simdjson::SUCCESS) {
    flags_ |= kFlagBadJson;
    // Still looked at as a form: `a=b&c=d` bodies with a JSON content type exist.
    if (body.find('=') != std::string_view::npos) {
      ParseQuery(body, ArgSource::kForm);
    }
    return;
  }
  j.path.clear();
  JsonWalker walker{this,    &arena_, &j.path,          limits_.max_depth, limits_.max_name_bytes,
                    &flags_, &parts_, limits_.max_parts};
  walker.Walk(root, 0);
}

// ---- multipart ------------------------------------------------------------------------

void RequestView::ParseMultipart(std::string_view body) {
  std::string_view boundary = HeaderParam(content_type_, "boundary");
  if (boundary.empty()) {
    flags_ |= kFlagBadMultipart;
    return;
  }
  std::string delimiter = "--";
  delimiter.append(boundary);
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) {
    flags_ |= kFlagBadMultipart;
    return;
  }
  size_t count = 0;
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") {
      return;  // closing delimiter
    }
    size_t next = body.find(delimiter, pos);
    const size_t end = next == std::string_view::npos ? body.size() : next;
    std::string_view part = Between(body, pos, end);
    // Headers end at the first empty line (CRLF or bare LF).
    size_t header_end = part.find("\r\n\r\n");
    size_t skip = 4;
    if (header_end == std::string_view::npos) {
      header_end = part.find("\n\n");
      skip = 2;
    }
    if (header_end == std::string_view::npos) {
      flags_ |= kFlagBadMultipart;
      header_end = part.size();
      skip = 0;
    }
    const std::string_view headers = part.substr(0, header_end);
    std::string_view content = part.substr(std::min(part.size(), header_end + skip));
    // The CRLF before the next delimiter belongs to it.
    if (content.size() >= 2 && content.substr(content.size() - 2) == "\r\n") {
      content.remove_suffix(2);
    } else if (!content.empty() && content.back() == '\n') {
      content.remove_suffix(1);
    }
    std::string_view name;
    bool has_filename = false;
    size_t hpos = 0;
    while (hpos < headers.size()) {
      size_t eol = headers.find('\n', hpos);
      if (eol == std::string_view::npos) {
        eol = headers.size();
      }
      const std::string_view line = Trim(Between(headers, hpos, eol));
      hpos = eol + 1;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        continue;
      }
      const std::string_view key = Trim(line.substr(0, colon));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (EqualsIgnoreCase(key, "content-disposition")) {
        name = HeaderParam(value, "name");
        const std::string_view filename = HeaderParam(value, "filename");
        if (value.find("filename") != std::string_view::npos) {
          has_filename = true;
        }
        if (!filename.empty()) {
          AddPart(PartKind::kFilename, ArgSource::kMultipart, name, filename);
        }
      } else {
        // Part headers (Content-Type, Content-Transfer-Encoding) are request data too.
        AddPart(PartKind::kArgValue, ArgSource::kMultipart, key, value);
      }
    }
    AddPart(PartKind::kArgName, ArgSource::kMultipart, name, name);
    // An uploaded file's bytes are not a parameter: images and archives hold every byte
    // sequence. The file name is (kFilename), and the raw body stays for the webshell rules.
    if (!has_filename) {
      AddPart(PartKind::kArgValue, ArgSource::kMultipart, name, content);
    }
    if (++count > limits_.max_parts) {
      flags_ |= kFlagTooManyParts;
      return;
    }
    pos = next;
  }
}

// ---- XML ------------------------------------------------------------------------------

void RequestView::ParseXml(std::string_view body) {
  // A tolerant scanner: element and attribute names, attribute values and text. Markup
  // declarations (<!DOCTYPE, <!ENTITY) are kept whole as values: XXE lives there.
  size_t i = 0;
  int depth = 0;
  std::string_view element;
  while (i < body.size()) {
    if (body[i] != '<') {
      size_t lt = body.find('<', i);
      if (lt == std::string_view::npos) {
        lt = body.size();
      }
      const std::string_view text = Trim(Between(body, i, lt));
      if (!text.empty()) {
        AddPart(PartKind::kArgValue, ArgSource::kXml, element, text);
      }
      i = lt;
      continue;
    }
    if (body.compare(i, 9, "<![CDATA[") == 0) {
      size_t close = body.find("]]>", i + 9);
      const size_t end = close == std::string_view::npos ? body.size() : close;
      AddPart(PartKind::kArgValue, ArgSource::kXml, element, Between(body, i + 9, end));
      i = close == std::string_view::npos ? body.size() : close + 3;
      continue;
    }
    if (body.compare(i, 4, "<!--") == 0) {
      size_t close = body.find("-->", i + 4);
      i = close == std::string_view::npos ? body.size() : close + 3;
      continue;
    }
    if (i + 1 < body.size() && (body[i + 1] == '!' || body[i + 1] == '?')) {
      // Declarations may nest brackets ([ ... ]) before their '>'.
      size_t j = i + 2;
      int brackets = 0;
      while (j < body.size() && !(body[j] == '>' && brackets == 0)) {
        brackets += body[j] == '[' ? 1 : body[j] == ']' ? -1 : 0;
        ++j;
      }
      AddPart(PartKind::kArgValue, ArgSource::kXml, body[i + 1] == '?' ? "?" : "!",
              Between(body, i, std::min(j + 1, body.size())));
      i = j + 1;
      continue;
    }
    const bool closing = i + 1 < body.size() && body[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    const size_t name_begin = j;
    while (j < body.size() && body[j] != '>' && body[j] != '/' && body[j] != ' ' &&
           body[j] != '\t' && body[j] != '\r' && body[j] != '\n') {
      ++j;
    }
    const std::string_view name = Between(body, name_begin, j);
    if (closing) {
      depth = std::max(0, depth - 1);
      size_t gt = body.find('>', j);
      i = gt == std::string_view::npos ? body.size() : gt + 1;
      continue;
    }
    if (!name.empty()) {
      AddPart(PartKind::kArgName, ArgSource::kXml, name, name);
    }
    element = name;
    // Attributes: name="value" | name='value' | name=value.
    while (j < body.size() && body[j] != '>') {
      while (j < body.size() && (body[j] == ' ' || body[j] == '\t' || body[j] == '\r' ||
                                 body[j] == '\n' || body[j] == '/')) {
        ++j;
      }
      const size_t an = j;
      while (j < body.size() && body[j] != '=' && body[j] != '>' && body[j] != ' ' &&
             body[j] != '/') {
        ++j;
      }
      const std::string_view attr = Between(body, an, j);
      if (!attr.empty()) {
        AddPart(PartKind::kArgName, ArgSource::kXml, attr, attr);
      }
      if (j < body.size() && body[j] == '=') {
        ++j;
        std::string_view value;
        if (j < body.size() && (body[j] == '"' || body[j] == '\'')) {
          const char quote = body[j];
          size_t close = body.find(quote, j + 1);
          if (close == std::string_view::npos) {
            flags_ |= kFlagBadXml;
            close = body.size();
          }
          value = Between(body, j + 1, close);
          j = close + 1;
        } else {
          const size_t vb = j;
          while (j < body.size() && body[j] != ' ' && body[j] != '>') {
            ++j;
          }
          value = Between(body, vb, j);
        }
        AddPart(PartKind::kArgValue, ArgSource::kXml, attr, value);
      } else if (attr.empty() && j < body.size() && body[j] != '>') {
        ++j;  // stray byte
      }
    }
    const bool self_closing = j > 0 && j <= body.size() && body[j - 1] == '/';
    if (!self_closing && ++depth > limits_.max_depth) {
      flags_ |= kFlagTooDeep;
      return;
    }
    i = j + 1;
  }
}

void AppendPartFieldName(std::string& out, const Part& part) {
  auto with_name = [&](std::string_view prefix) {
    out += prefix;
    out += part.name;
  };
  switch (part.kind) {
    case PartKind::kMethod:
      out += "http.request.method";
      return;
    case PartKind::kUri:
      out += "url.original";
      return;
    case PartKind::kPath:
      out += "url.path";
      return;
    case PartKind::kQueryString:
      out += "url.query";
      return;
    case PartKind::kProtocol:
      out += "http.version";
      return;
    case PartKind::kBody:
      out += "http.request.body.content";
      return;
    case PartKind::kHeaderName:
    case PartKind::kHeaderValue:
      out += "http.request.headers.";
      for (char c : part.name) {
        out += c == '-' ? '_' : c;
      }
      return;
    case PartKind::kCookieName:
    case PartKind::kCookieValue:
      with_name("cookie.");
      return;
    case PartKind::kFilename:
      with_name("body.");
      out += ".filename";
      return;
    case PartKind::kArgName:
    case PartKind::kArgValue:
    case PartKind::kPrompt:
      with_name(part.source == ArgSource::kQuery ? "url.query." : "body.");
      return;
  }
}

}  // namespace rampart::detect::web
