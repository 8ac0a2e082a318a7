// docs/openapi.json is the API's contract: the served document is that file, and its paths
// and methods are exactly the routes the server has.

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "server/api.h"

namespace rampart::server {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(OpenApiTest, ServedDocumentIsTheCheckedInFile) {
  std::string file = ReadFile(std::string(RAMPART_SOURCE_DIR) + "/docs/openapi.json");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(OpenApiDocument(), file);
}

TEST(OpenApiTest, PathsAndMethodsMatchTheRoutes) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string text(OpenApiDocument());
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS);
  std::string_view version;
  ASSERT_EQ(doc["openapi"].get(version), simdjson::SUCCESS);
  EXPECT_EQ(version.substr(0, 2), "3.");
  std::set<std::string> documented;
  simdjson::dom::object paths;
  ASSERT_EQ(doc["paths"].get(paths), simdjson::SUCCESS);
  for (auto [path, item] : paths) {
    simdjson::dom::object methods;
    ASSERT_EQ(item.get(methods), simdjson::SUCCESS);
    for (auto [method, op] : methods) {
      std::string m(method);
      for (char& c : m) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      documented.insert(m + " " + std::string(path));
    }
  }
  ApiContext context;
  std::set<std::string> served;
  for (const Route& r : ApiRoutes(context)) {
    served.insert(r.method + " " + r.path);
  }
  EXPECT_EQ(documented, served);
}

}  // namespace
}  // namespace rampart::server
