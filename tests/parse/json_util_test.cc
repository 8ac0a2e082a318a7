// The machinery shared by the JSON parsers: the field-name cache (keys predicted from the
// key before them), keys read in place or unescaped, and records parsed in the arena copy.

#include "parse/internal/json_util.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse::internal {
namespace {

uint8_t TagByLength(std::string_view name) {
  return static_cast<uint8_t>(name.size());
}

TEST(FieldNameCacheTest, InterleavedShapesAndGrowthGiveTheInternedIds) {
  // Records of two shapes alternate, and a third invents new names on every record (so
  // the cache grows while a prediction is pending): every answer must be the interned id
  // and the tag of its own name.
  FieldNameCache cache(&TagByLength);
  const std::vector<std::string> a = {"EventID", "Channel", "Image", "CommandLine"};
  const std::vector<std::string> b = {"EventID", "Channel", "TargetFilename", "Hashes"};
  for (int record = 0; record < 600; ++record) {
    std::vector<std::string> keys = record % 2 == 0 ? a : b;
    if (record % 3 == 0) {
      keys.push_back("fresh_" + std::to_string(record));
      keys.push_back("fresh_" + std::to_string(record) + "_more");
    }
    cache.StartRecord();
    for (const std::string& key : keys) {
      const FieldNameCache::Entry entry = cache.Get(key);
      ASSERT_EQ(entry.id, FieldDict::Intern(key)) << key << " in record " << record;
      ASSERT_EQ(entry.tag, key.size()) << key;
    }
  }
}

TEST(FieldNameCacheTest, NamesThatDifferOnlyInTheirLastBytesAreDistinct) {
  FieldNameCache cache(nullptr);
  const std::vector<std::string> keys = {"Execution_ProcessID",
                                         "Execution_ProcessId",
                                         "Execution_ThreadID",
                                         "a",
                                         "ab",
                                         "abcdefgh",
                                         "abcdefgi"};
  for (int round = 0; round < 3; ++round) {
    cache.StartRecord();
    for (const std::string& key : keys) {
      EXPECT_EQ(cache.Get(key).id, FieldDict::Intern(key)) << key;
    }
  }
}

TEST(JsonReaderTest, EscapedKeysAreDecodedAndPlainValuesAreViewsOfTheRawRecord) {
  auto parser = MakeJsonLinesParser();
  EventBatch batch;
  ParseContext ctx;
  const std::string record = R"({"pla\u0069n": "C:\\Temp", "simple": "value", "n": 12})";
  ASSERT_TRUE(parser->Parse(record, ctx, batch).ok());
  const Event& e = batch[0];
  EXPECT_EQ(batch.Find(e, FieldDict::Intern("plain")), "C:\\Temp");
  const std::optional<std::string_view> simple = batch.Find(e, FieldDict::Intern("simple"));
  ASSERT_TRUE(simple.has_value());
  EXPECT_EQ(*simple, "value");
  // Parsed in place: a value without escapes points into the event's raw text.
  EXPECT_GE(simple->data(), e.raw.data());
  EXPECT_LE(simple->data() + simple->size(), e.raw.data() + e.raw.size());
  EXPECT_EQ(batch.Find(e, FieldDict::Intern("n")), "12");
  EXPECT_EQ(e.raw, record);
}

TEST(JsonReaderTest, InvalidUtf8IsReplacedAndTheRawRecordKept) {
  auto parser = MakeJsonLinesParser();
  EventBatch batch;
  ParseContext ctx;
  const std::string record =
      "{\"k\": \"a\xff"
      "b\", \"x\": \"y\"}";
  ASSERT_TRUE(parser->Parse(record, ctx, batch).ok());
  const Event& e = batch[0];
  EXPECT_EQ(batch.Find(e, FieldDict::Intern("k")),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(batch.Find(e, FieldDict::Intern("x")), "y");
  EXPECT_EQ(e.raw, record);
}

}  // namespace
}  // namespace rampart::parse::internal
