// The detection record's JSON form: where its event is.

#include "core/detection.h"

#include <string>

#include <gtest/gtest.h>

namespace rampart {
namespace {

// Issue 13, defect 16: a hunted detection carried only the offset just past its record, so
// a user jumping there landed on the next one. The line and the first byte are written too.
TEST(DetectionJson, Issue13EventRefCarriesLineAndFirstByte) {
  Detection d;
  d.event.location = "in.jsonl";
  d.event.offset = 120;
  d.event.line = 3;
  d.event.first_byte = 57;
  EventRef related;
  related.location = "in.jsonl";
  related.offset = 57;
  related.line = 2;
  related.first_byte = 10;
  d.related.push_back(related);
  const std::string json = DetectionToJson(d);
  EXPECT_NE(
      json.find(
          R"("event":{"location":"in.jsonl","rowid":0,"offset":120,"line":3,"first_byte":57})"),
      std::string::npos)
      << json;
  EXPECT_NE(
      json.find(
          R"("related":[{"location":"in.jsonl","rowid":0,"offset":57,"line":2,"first_byte":10}])"),
      std::string::npos)
      << json;
}

}  // namespace
}  // namespace rampart
