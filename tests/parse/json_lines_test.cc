#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse {
namespace {

constexpr int64_t kReference = 1'700'000'000'000'000'000;

class JsonLinesTest : public ::testing::Test {
 protected:
  Status Parse(std::string_view record, const JsonMapping* mapping = nullptr) {
    ParseContext ctx;
    ctx.tenant = "acme";
    ctx.reference_time_ns = kReference;
    ctx.json_mapping = mapping;
    return parser_->Parse(record, ctx, batch_);
  }
  const Event& Last() const { return batch_[batch_.size() - 1]; }
  std::optional<std::string_view> Get(std::string_view name) const {
    return batch_.Find(Last(), FieldDict::Intern(name));
  }
  std::optional<std::string_view> Get(FieldId id) const { return batch_.Find(Last(), id); }
  std::vector<std::string_view> All(std::string_view name) const {
    const FieldId id = FieldDict::Intern(name);
    std::vector<std::string_view> out;
    for (const Field& f : batch_.fields(Last())) {
      if (f.id == id) {
        out.push_back(f.value);
      }
    }
    return out;
  }
  size_t FieldCount() const { return batch_.fields(Last()).size(); }

  std::unique_ptr<Parser> parser_ = internal::MakeJsonLinesParser();
  EventBatch batch_;
};

JsonMapping AppMapping() {
  JsonMapping m;
  m.dataset = "myapp";
  m.timestamp_field = "ts";
  m.timestamp_format = "epoch_ms";
  m.renames = {{"client", "source.ip"}, {"req.user", "user.name"}};
  m.keep_unmapped = true;
  return m;
}

TEST_F(JsonLinesTest, DefaultsFlattenEverything) {
  constexpr std::string_view kRecord =
      R"({"level": "warn", "msg": "login failed", "req": {"ip": "198.51.100.4", "headers": )"
      R"({"ua": "curl/8.0"}}, "tags": ["auth", "web"], "n": 3, "ok": false, "none": null})";
  ASSERT_TRUE(Parse(kRecord).ok());
  const Event& e = Last();
  EXPECT_EQ(e.dataset, "json");
  EXPECT_EQ(e.tenant, "acme");
  EXPECT_EQ(e.raw, kRecord);
  EXPECT_EQ(e.timestamp_ns, kReference);
  EXPECT_EQ(Get("level"), "warn");
  EXPECT_EQ(Get("msg"), "login failed");
  EXPECT_EQ(Get("req.ip"), "198.51.100.4");
  EXPECT_EQ(Get("req.headers.ua"), "curl/8.0");
  EXPECT_EQ(All("tags"), (std::vector<std::string_view>{"auth", "web"}));
  EXPECT_EQ(Get("n"), "3");
  EXPECT_EQ(Get("ok"), "false");
  EXPECT_FALSE(Get("none").has_value());
  EXPECT_EQ(FieldCount(), 8u);
}

TEST_F(JsonLinesTest, MappingRenamesAndTimestamp) {
  const JsonMapping m = AppMapping();
  ASSERT_TRUE(Parse(R"({"ts": 1700000000123, "client": "203.0.113.9", "req": {"user": "kim",)"
                    R"( "path": "/admin"}, "status": 403})",
                    &m)
                  .ok());
  EXPECT_EQ(Last().dataset, "myapp");
  EXPECT_EQ(Last().timestamp_ns, 1700000000123000000);
  EXPECT_EQ(Get(field::kSourceIp), "203.0.113.9");
  EXPECT_EQ(Get(field::kUserName), "kim");
  EXPECT_FALSE(Get("client").has_value());
  EXPECT_FALSE(Get("req.user").has_value());
  EXPECT_EQ(Get("req.path"), "/admin");
  EXPECT_EQ(Get("status"), "403");
  EXPECT_EQ(Get("ts"), "1700000000123");
  EXPECT_EQ(FieldCount(), 5u);

  // A flat key with a dot matches the same dotted path.
  ASSERT_TRUE(Parse(R"({"ts": "1700000000000", "req.user": "lee"})", &m).ok());
  EXPECT_EQ(Get(field::kUserName), "lee");
  EXPECT_EQ(Last().timestamp_ns, 1700000000000000000);

  // Missing timestamp field: reference time.
  ASSERT_TRUE(Parse(R"({"client": "203.0.113.9"})", &m).ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
}

TEST_F(JsonLinesTest, KeepUnmappedFalseKeepsOnlyRenames) {
  JsonMapping m = AppMapping();
  m.keep_unmapped = false;
  ASSERT_TRUE(Parse(R"({"ts": 1700000000123, "client": "203.0.113.9", "other": 1,)"
                    R"( "list": [{"client": "x"}]})",
                    &m)
                  .ok());
  EXPECT_EQ(Last().timestamp_ns, 1700000000123000000);
  EXPECT_EQ(Get(field::kSourceIp), "203.0.113.9");
  EXPECT_EQ(FieldCount(), 1u);
}

TEST_F(JsonLinesTest, TimestampFormats) {
  struct Case {
    std::string format;
    std::string value;
    int64_t expected;
  };
  const std::vector<Case> cases = {
      {"", "\"2020-10-10T13:55:36Z\"", 1602338136000000000},
      {"", "1602338136", 1602338136000000000},  // auto: epoch by magnitude
      {"", "1602338136500", 1602338136500000000},
      {"", "\"10/Oct/2020:13:55:36 +0000\"", 1602338136000000000},
      {"iso8601", "\"2020-10-10T22:55:36+09:00\"", 1602338136000000000},
      {"epoch_s", "1602338136.25", 1602338136250000000},
      {"epoch_ms", "1602338136500", 1602338136500000000},
      {"epoch_us", "1602338136500000", 1602338136500000000},
      {"epoch_ns", "\"1602338136500000001\"", 1602338136500000001},
      {"%d/%b/%Y:%H:%M:%S %z", "\"10/Oct/2020:13:55:36 +0000\"", 1602338136000000000},
      {"%Y%m%d %H%M%S", "\"20201010 135536\"", 1602338136000000000},
  };
  for (const Case& c : cases) {
    JsonMapping m;
    m.timestamp_field = "when.at";
    m.timestamp_format = c.format;
    const std::string record = R"({"when": {"at": )" + c.value + "}}";
    Status s = Parse(record, &m);
    ASSERT_TRUE(s.ok()) << c.format << " " << c.value << ": " << s.message();
    EXPECT_EQ(Last().timestamp_ns, c.expected) << c.format << " " << c.value;
  }
}

// Issue 13, defect 5: an invalid mapped timestamp dead-lettered the record while the Body
// Log and Windows parsers silently re-dated the same values. Every parser now keeps the
// record, times it at the receive time and flags it with the original text.
TEST_F(JsonLinesTest, Issue13InvalidTimestampIsFlaggedNotDeadLettered) {
  const JsonMapping m = AppMapping();
  ASSERT_TRUE(Parse(R"({"ts": "yesterday", "client": "x"})", &m).ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
  EXPECT_EQ(Get(field::kEventTimeInvalid), "yesterday");
  EXPECT_EQ(Get(field::kSourceIp), "x");

  JsonMapping iso;
  iso.timestamp_field = "t";
  iso.timestamp_format = "iso8601";
  ASSERT_TRUE(Parse(R"({"t": "1602338136"})", &iso).ok());  // does not fit the format
  EXPECT_EQ(Get(field::kEventTimeInvalid), "1602338136");
  JsonMapping any;
  any.timestamp_field = "t";
  for (std::string_view bad :
       {"9999-12-31", "2025-13-45T99:99:99Z", "2026-11-20T00:00:00+99:00", "soon"}) {
    SCOPED_TRACE(bad);
    ASSERT_TRUE(Parse(R"({"t": ")" + std::string(bad) + R"("})", &any).ok());
    EXPECT_EQ(Last().timestamp_ns, kReference);
    EXPECT_EQ(Get(field::kEventTimeInvalid), bad);
  }
  // Epoch numbers beyond 2200 or before 1970 are no event times either.
  JsonMapping epoch;
  epoch.timestamp_field = "t";
  epoch.timestamp_format = "epoch_s";
  ASSERT_TRUE(Parse(R"({"t": 7258118400})", &epoch).ok());  // 2200-01-01: valid
  EXPECT_EQ(Last().timestamp_ns, 7258118400 * 1'000'000'000);
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  ASSERT_TRUE(Parse(R"({"t": 9999999999})", &epoch).ok());  // 2286
  EXPECT_EQ(Get(field::kEventTimeInvalid), "9999999999");
  ASSERT_TRUE(Parse(R"({"t": -5})", &epoch).ok());
  EXPECT_EQ(Get(field::kEventTimeInvalid), "-5");
  EXPECT_EQ(batch_.size(), 9u);
}

TEST_F(JsonLinesTest, MappingChangesAreSeen) {
  JsonMapping m;
  m.dataset = "first";
  ASSERT_TRUE(Parse(R"({"a": 1})", &m).ok());
  EXPECT_EQ(Last().dataset, "first");
  // Same object, new content (a reload in place).
  m.dataset = "second";
  m.renames = {{"a", "event.action"}};
  ASSERT_TRUE(Parse(R"({"a": 1})", &m).ok());
  EXPECT_EQ(Last().dataset, "second");
  EXPECT_EQ(Get(field::kEventAction), "1");
  // Back to defaults.
  ASSERT_TRUE(Parse(R"({"a": 1})").ok());
  EXPECT_EQ(Last().dataset, "json");
  EXPECT_EQ(Get("a"), "1");
  // The dataset outlives the mapping: it is in the batch arena.
  {
    JsonMapping temp;
    temp.dataset = "short-lived";
    ASSERT_TRUE(Parse(R"({"a": 1})", &temp).ok());
  }
  EXPECT_EQ(Last().dataset, "short-lived");
}

TEST_F(JsonLinesTest, LimitsAndErrors) {
  std::string record = "{";
  for (int i = 0; i < 1030; ++i) {
    record += (i == 0 ? "" : ",") + std::string("\"k") + std::to_string(i) + "\": 0";
  }
  record += "}";
  ASSERT_TRUE(Parse(record).ok());
  EXPECT_EQ(Get("_truncated_fields"), "6");
  EXPECT_EQ(FieldCount(), 1025u);

  struct Case {
    std::string record;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "json: empty record"},
      {"plain text line", "json: not a JSON object"},
      {"[{\"a\": 1}]", "json: not a JSON object"},
      {"{\"a\": 1", "json: truncated JSON object"},
      {"{\"a\": 1}}", "json: trailing data after the JSON object"},
      {"{\"a\": 01}", "json: invalid JSON number"},
      {"{\"a\": nul}", "json: invalid JSON literal"},
  };
  const size_t before = batch_.size();
  for (const Case& c : cases) {
    Status s = Parse(c.record);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.record;
    EXPECT_EQ(s.message(), c.message) << c.record;
    EXPECT_EQ(batch_.size(), before) << c.record;
  }
}

// --- LoadJsonMapping ------------------------------------------------------------------

class JsonMappingFileTest : public ::testing::Test {
 protected:
  std::string Write(std::string_view name, std::string_view text) {
    const std::filesystem::path dir =
        std::filesystem::path(::testing::TempDir()) / "rampart_json_mapping_test";
    std::filesystem::create_directories(dir);
    const std::filesystem::path path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
};

TEST_F(JsonMappingFileTest, LoadsTheDocumentedExample) {
  const std::string path = Write("ok.yaml",
                                 "# my app\n"
                                 "dataset: myapp\n"
                                 "timestamp: {field: ts, format: epoch_ms}\n"
                                 "fields:\n"
                                 "  client: source.ip\n"
                                 "  \"req.user\": user.name\n"
                                 "keep_unmapped: false\n");
  Result<JsonMapping> m = LoadJsonMapping(path);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->dataset, "myapp");
  EXPECT_EQ(m->timestamp_field, "ts");
  EXPECT_EQ(m->timestamp_format, "epoch_ms");
  ASSERT_EQ(m->renames.size(), 2u);
  EXPECT_EQ(m->renames[0], (std::pair<std::string, std::string>{"client", "source.ip"}));
  EXPECT_EQ(m->renames[1], (std::pair<std::string, std::string>{"req.user", "user.name"}));
  EXPECT_FALSE(m->keep_unmapped);
}

TEST_F(JsonMappingFileTest, ShorthandsAndDefaults) {
  Result<JsonMapping> m = LoadJsonMapping(Write("short.yaml", "timestamp: time\n"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->dataset, "json");
  EXPECT_EQ(m->timestamp_field, "time");
  EXPECT_EQ(m->timestamp_format, "");
  EXPECT_TRUE(m->keep_unmapped);

  m = LoadJsonMapping(Write("empty.yaml", "# nothing\n"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->dataset, "json");
  EXPECT_TRUE(m->renames.empty());

  m = LoadJsonMapping(
      Write("custom.yaml", "timestamp:\n  field: t\n  format: \"%d/%b/%Y:%H:%M:%S %z\"\n"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->timestamp_format, "%d/%b/%Y:%H:%M:%S %z");
}

TEST_F(JsonMappingFileTest, ErrorsNameFileLineAndReason) {
  struct Case {
    std::string name;
    std::string text;
    std::string message;  // after "json mapping <path>"
  };
  const std::vector<Case> cases = {
      {"unknown.yaml", "dataset: a\ndatset: b\n",
       ":2:1: unknown key \"datset\" (expected dataset, timestamp, fields, keep_unmapped)"},
      {"badyaml.yaml", "dataset: a\nfields: {client: source.ip\n", ":3:1: invalid YAML: "},
      {"list.yaml", "- a\n- b\n",
       ":1:1: top level must be a mapping (dataset, timestamp, fields, keep_unmapped)"},
      {"dataset.yaml", "dataset: \"my app\"\n",
       ":1:10: dataset \"my app\": only letters, digits, '.', '_' and '-' are allowed"},
      {"dataset2.yaml", "dataset:\n", ":1:1: dataset must be a non-empty string"},
      {"bool.yaml", "keep_unmapped: maybe\n", ":1:16: keep_unmapped must be true or false"},
      {"tskey.yaml", "timestamp: {field: t, fmt: x}\n",
       ":1:23: unknown key \"timestamp.fmt\" (expected field, format)"},
      {"tsformat.yaml", "timestamp: {field: t, format: epoch_minutes}\n",
       ":1:1: timestamp format \"epoch_minutes\": not iso8601, epoch_s, epoch_ms, epoch_us, "
       "epoch_ns or a %-format"},
      {"tsconv.yaml", "timestamp: {field: t, format: \"%Y-%q\"}\n",
       ":1:1: timestamp format \"%Y-%q\": unsupported conversion (use iso8601, epoch_s, epoch_ms, "
       "epoch_us, epoch_ns or %Y %m %d %H %M %S %f %b %z %e %%)"},
      {"tsnofield.yaml", "timestamp: {format: epoch_s}\n",
       ":1:1: timestamp.field must not be empty"},
      {"fields.yaml", "fields: [a, b]\n", ":1:9: fields must map source keys to field names"},
      {"fieldval.yaml", "fields:\n  a: source.ip\n  b:\n",
       ":3:3: fields: \"b\" must map to a non-empty field name"},
      {"dup.yaml", "fields:\n  a: source.ip\n  a: user.name\n",
       ":3:3: fields: \"a\" is mapped twice"},
  };
  for (const Case& c : cases) {
    const std::string path = Write(c.name, c.text);
    Result<JsonMapping> m = LoadJsonMapping(path);
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << c.name;
    const std::string expected = "json mapping " + path + c.message;
    const std::string_view got = m.status().message();
    if (c.message.back() == ' ') {  // yaml-cpp's own wording follows
      EXPECT_EQ(got.substr(0, expected.size()), expected) << got;
    } else {
      EXPECT_EQ(got, expected);
    }
  }
}

TEST_F(JsonMappingFileTest, MissingFile) {
  const std::string path = Write("x", "") + ".does-not-exist";
  Result<JsonMapping> m = LoadJsonMapping(path);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(m.status().message(), "json mapping " + path + ": cannot open file");
}

// --- ClassifyJsonRecord ---------------------------------------------------------------

TEST(ClassifyJsonRecordTest, ByKeys) {
  using internal::ClassifyJsonRecord;
  EXPECT_EQ(ClassifyJsonRecord(R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": 1,)"
                               R"( "Channel": "Microsoft-Windows-Sysmon/Operational"})"),
            Format::kWindows);
  EXPECT_EQ(ClassifyJsonRecord(R"({"EventTime": "2020-01-01 10:00:00", "Hostname": "WKS1",)"
                               R"( "EventID": 4625, "SourceName": "x"})"),
            Format::kWindows);
  EXPECT_EQ(ClassifyJsonRecord(R"({"event_id": 7045, "channel": "System"})"), Format::kWindows);
  EXPECT_EQ(
      ClassifyJsonRecord(R"({"EventID": 1, "Computer": "PC", "remote_addr": "x", "uri": "/"})"),
      Format::kWindows);
  EXPECT_EQ(ClassifyJsonRecord(R"({"time": "2026-11-20T00:00:00+09:00", "remote_addr":)"
                               R"( "203.0.113.83", "method": "POST", "uri": "/login"})"),
            Format::kBodyLog);
  EXPECT_EQ(ClassifyJsonRecord(R"({"remote_addr": "203.0.113.83", "request_body": "a=1"})"),
            Format::kBodyLog);
  // nginx escape=json lets raw non-UTF-8 bytes through.
  EXPECT_EQ(ClassifyJsonRecord("{\"remote_addr\": \"1.2.3.4\", \"request_body\": \"\xff\"}"),
            Format::kBodyLog);
  EXPECT_EQ(ClassifyJsonRecord(R"({"EventID": 1})"), Format::kJsonLines);
  EXPECT_EQ(ClassifyJsonRecord(R"({"remote_addr": "1.2.3.4", "status": 200})"), Format::kJsonLines);
  EXPECT_EQ(ClassifyJsonRecord(R"({"level": "info", "msg": "x", "nested": {"EventID": 1,)"
                               R"( "Channel": "Security"}})"),
            Format::kJsonLines);
  EXPECT_EQ(ClassifyJsonRecord("{}"), Format::kJsonLines);
  EXPECT_EQ(ClassifyJsonRecord("[1, 2]"), Format::kAuto);
  EXPECT_EQ(ClassifyJsonRecord(""), Format::kAuto);
  EXPECT_EQ(ClassifyJsonRecord("{\"a\": 1"), Format::kAuto);
  EXPECT_EQ(ClassifyJsonRecord("{\"a\": 1} {\"b\": 2}"), Format::kAuto);
  EXPECT_EQ(
      ClassifyJsonRecord("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326"),
      Format::kAuto);
  EXPECT_EQ(ClassifyJsonRecord("<34>Oct 11 22:14:15 mymachine su: 'su root' failed"),
            Format::kAuto);
}

}  // namespace
}  // namespace rampart::parse
