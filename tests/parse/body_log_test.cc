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
constexpr int64_t k20261120Kst = 1'795'100'400'000'000'000;  // 2026-11-20T00:00:00+09:00

// Records from ../shared/corpora/bodylog/sample.jsonl (synthetic secrets).
constexpr std::string_view kFormLogin =
    R"j({"time": "2026-11-20T00:00:00+09:00", "remote_addr": "203.0.113.83", "remote_port": "49413", "x_forwarded_for": "", "host": "shop.example.co.kr", "method": "POST", "uri": "/login", "protocol": "HTTP/1.1", "status": 200, "body_bytes_sent": 3309, "request_length": 340, "request_time": 0.078, "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "referer": "", "content_type": "application/x-www-form-urlencoded", "authorization": "", "cookie": "", "x_api_key": "", "request_body": "username=kim0&password=Pw%21kCde5gA8d3qc"})j";

constexpr std::string_view kJsonChat =
    R"j({"time": "2026-11-20T00:00:05+09:00", "remote_addr": "203.0.113.135", "remote_port": "1138", "x_forwarded_for": "", "host": "shop.example.co.kr", "method": "POST", "uri": "/v1/chat/completions", "protocol": "HTTP/1.1", "status": 200, "body_bytes_sent": 2821, "request_length": 400, "request_time": 0.168, "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "referer": "", "content_type": "application/json", "authorization": "", "cookie": "", "x_api_key": "sk_live_3c9Da93d4d222D5adC3Ad2C42c0aaC6C", "request_body": "{\"model\": \"solar\", \"messages\": [{\"role\": \"user\", \"content\": \"my RRN is 911115-2426563, summarize\"}]}"})j";

constexpr std::string_view kCookieReset =
    R"j({"time": "2026-11-20T00:00:06+09:00", "remote_addr": "203.0.113.31", "remote_port": "56643", "x_forwarded_for": "", "host": "shop.example.co.kr", "method": "POST", "uri": "/account/reset", "protocol": "HTTP/1.1", "status": 200, "body_bytes_sent": 1092, "request_length": 396, "request_time": 0.006, "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "referer": "", "content_type": "application/x-www-form-urlencoded", "authorization": "", "cookie": "SESSIONID=eyJhbGciOiJIUzI1NiJ9.rdrgdsjpr16umx1bz99nfd02is5d9ik40vstqqzp; lang=ko", "x_api_key": "", "request_body": "email=user8304%40example.co.kr&new_password=Pw%21pavtAeCB8eAE&confirm_password=Pw%21pavtAeCB8eAE"})j";

constexpr std::string_view kJsonOrder =
    R"j({"time": "2026-11-20T00:00:04+09:00", "remote_addr": "203.0.113.68", "remote_port": "42136", "x_forwarded_for": "", "host": "shop.example.co.kr", "method": "POST", "uri": "/api/v1/orders", "protocol": "HTTP/1.1", "status": 401, "body_bytes_sent": 4191, "request_length": 357, "request_time": 0.028, "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "referer": "", "content_type": "application/json", "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp", "cookie": "", "x_api_key": "", "request_body": "{\"items\": [1, 2], \"note\": \"card 5112690604431983 please\"}"})j";

class BodyLogTest : public ::testing::Test {
 protected:
  Status Parse(std::string_view record) {
    ParseContext ctx;
    ctx.tenant = "acme";
    ctx.reference_time_ns = kReference;
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

  std::unique_ptr<Parser> parser_ = internal::MakeBodyLogParser();
  EventBatch batch_;
};

TEST_F(BodyLogTest, FormLoginGolden) {
  ASSERT_TRUE(Parse(kFormLogin).ok());
  ASSERT_EQ(batch_.size(), 1u);
  const Event& e = Last();
  EXPECT_EQ(e.dataset, "nginx.body");
  EXPECT_EQ(e.tenant, "acme");
  EXPECT_EQ(e.raw, kFormLogin);
  EXPECT_EQ(e.timestamp_ns, k20261120Kst);
  EXPECT_EQ(Get(field::kSourceIp), "203.0.113.83");
  EXPECT_EQ(Get(field::kSourcePort), "49413");
  EXPECT_EQ(Get(field::kUrlDomain), "shop.example.co.kr");
  EXPECT_EQ(Get(field::kHttpRequestMethod), "POST");
  EXPECT_EQ(Get(field::kUrlOriginal), "/login");
  EXPECT_EQ(Get(field::kUrlPath), "/login");
  EXPECT_FALSE(Get(field::kUrlQuery).has_value());
  EXPECT_EQ(Get(field::kHttpVersion), "1.1");
  EXPECT_EQ(Get(field::kHttpResponseStatusCode), "200");
  EXPECT_EQ(Get(field::kHttpResponseBodyBytes), "3309");
  EXPECT_EQ(Get(field::kHttpRequestBytes), "340");
  EXPECT_EQ(Get(field::kHttpRequestTime), "0.078");
  EXPECT_EQ(Get(field::kUserAgentOriginal), "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
  EXPECT_EQ(Get(field::kHttpRequestContentType), "application/x-www-form-urlencoded");
  EXPECT_EQ(Get(field::kHttpRequestBodyContent), "username=kim0&password=Pw%21kCde5gA8d3qc");
  // Empty ("") values are not stored.
  EXPECT_FALSE(Get(field::kHttpRequestReferrer).has_value());
  EXPECT_FALSE(Get(field::kHttpRequestAuthorization).has_value());
  EXPECT_FALSE(Get(field::kHttpRequestCookie).has_value());
  EXPECT_FALSE(Get(field::kHttpRequestApiKey).has_value());
  EXPECT_FALSE(Get(field::kHttpRequestXForwardedFor).has_value());
  EXPECT_FALSE(Get(field::kClientIp).has_value());
  // Body parameters, URL-decoded.
  EXPECT_EQ(Get("body.username"), "kim0");
  EXPECT_EQ(Get("body.password"), "Pw!kCde5gA8d3qc");
  // Canonical keys are not duplicated under their source names.
  EXPECT_FALSE(Get("remote_addr").has_value());
  EXPECT_FALSE(Get("request_body").has_value());
  EXPECT_EQ(FieldCount(), 14u + 2u);
}

TEST_F(BodyLogTest, JsonBodyGolden) {
  ASSERT_TRUE(Parse(kJsonChat).ok());
  EXPECT_EQ(Last().timestamp_ns, k20261120Kst + 5'000'000'000);
  EXPECT_EQ(Get(field::kHttpRequestApiKey), "sk_live_3c9Da93d4d222D5adC3Ad2C42c0aaC6C");
  EXPECT_EQ(Get(field::kHttpRequestContentType), "application/json");
  EXPECT_EQ(
      Get(field::kHttpRequestBodyContent),
      R"({"model": "solar", "messages": [{"role": "user", "content": "my RRN is 911115-2426563, summarize"}]})");
  EXPECT_EQ(Get("body.model"), "solar");
  EXPECT_EQ(Get("body.messages.role"), "user");
  EXPECT_EQ(Get("body.messages.content"), "my RRN is 911115-2426563, summarize");
  EXPECT_EQ(Get(field::kHttpRequestTime), "0.168");

  ASSERT_TRUE(Parse(kJsonOrder).ok());
  EXPECT_EQ(Get(field::kHttpRequestAuthorization),
            "Bearer eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp");
  EXPECT_EQ(Get(field::kHttpResponseStatusCode), "401");
  EXPECT_EQ(All("body.items"), (std::vector<std::string_view>{"1", "2"}));
  EXPECT_EQ(Get("body.note"), "card 5112690604431983 please");
}

TEST_F(BodyLogTest, CookieGolden) {
  ASSERT_TRUE(Parse(kCookieReset).ok());
  EXPECT_EQ(Get(field::kHttpRequestCookie),
            "SESSIONID=eyJhbGciOiJIUzI1NiJ9.rdrgdsjpr16umx1bz99nfd02is5d9ik40vstqqzp; lang=ko");
  EXPECT_EQ(Get("cookie.SESSIONID"),
            "eyJhbGciOiJIUzI1NiJ9.rdrgdsjpr16umx1bz99nfd02is5d9ik40vstqqzp");
  EXPECT_EQ(Get("cookie.lang"), "ko");
  EXPECT_EQ(Get("body.email"), "user8304@example.co.kr");
  EXPECT_EQ(Get("body.new_password"), "Pw!pavtAeCB8eAE");
  EXPECT_EQ(Get("body.confirm_password"), "Pw!pavtAeCB8eAE");
}

TEST_F(BodyLogTest, NginxDefaultsAndConversions) {
  // $time_local form, "-" empties, numbers as strings, XFF chain, query string, HTTP/2.0,
  // an extra key, upstream time.
  constexpr std::string_view kRecord =
      R"({"time":"10/Oct/2020:13:55:36 +0000","remote_addr":"10.0.0.5","remote_port":"-",)"
      R"("x_forwarded_for":" 198.51.100.7 , 10.0.0.1","host":"api.example.com","method":"GET",)"
      R"("uri":"/search?q=1%27+OR+1%3D1&page=2","protocol":"HTTP/2.0","status":"404",)"
      R"("body_bytes_sent":"0","request_length":"-","request_time":"0.000","user_agent":"-",)"
      R"("referer":"https://example.com/","content_type":"-","authorization":"-","cookie":"-",)"
      R"("x_api_key":"-","request_body":"-","request_id":"abc123","upstream_response_time":"0.004"})";
  ASSERT_TRUE(Parse(kRecord).ok());
  EXPECT_EQ(Last().timestamp_ns, 1602338136000000000);
  EXPECT_EQ(Get(field::kSourceIp), "10.0.0.5");
  EXPECT_FALSE(Get(field::kSourcePort).has_value());
  EXPECT_EQ(Get(field::kHttpRequestXForwardedFor), " 198.51.100.7 , 10.0.0.1");
  EXPECT_EQ(Get(field::kClientIp), "198.51.100.7");
  EXPECT_EQ(Get(field::kUrlOriginal), "/search?q=1%27+OR+1%3D1&page=2");
  EXPECT_EQ(Get(field::kUrlPath), "/search");
  EXPECT_EQ(Get(field::kUrlQuery), "q=1%27+OR+1%3D1&page=2");
  EXPECT_EQ(Get(field::kHttpVersion), "2.0");
  EXPECT_EQ(Get(field::kHttpResponseStatusCode), "404");
  EXPECT_EQ(Get(field::kHttpResponseBodyBytes), "0");
  EXPECT_FALSE(Get(field::kHttpRequestBytes).has_value());
  EXPECT_EQ(Get(field::kHttpRequestTime), "0.000");
  EXPECT_FALSE(Get(field::kUserAgentOriginal).has_value());
  EXPECT_EQ(Get(field::kHttpRequestReferrer), "https://example.com/");
  EXPECT_FALSE(Get(field::kHttpRequestBodyContent).has_value());
  EXPECT_EQ(Get(field::kHttpUpstreamTime), "0.004");
  EXPECT_EQ(Get("request_id"), "abc123");
}

TEST_F(BodyLogTest, MissingKeysAreTolerated) {
  ASSERT_TRUE(Parse(R"({"remote_addr": "192.0.2.1", "uri": "/x"})").ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
  EXPECT_EQ(Get(field::kSourceIp), "192.0.2.1");
  EXPECT_EQ(Get(field::kUrlPath), "/x");
  EXPECT_EQ(FieldCount(), 3u);

  ASSERT_TRUE(Parse(R"({"time": "not a time", "status": 500})").ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
  EXPECT_EQ(Get(field::kEventTimeInvalid), "not a time");
  ASSERT_TRUE(Parse(R"({"time": 1605000000.25, "status": 500})").ok());  // $msec
  EXPECT_EQ(Last().timestamp_ns, 1605000000250000000);
}

// Issue 13, defect 5: a time that is no valid event time was silently replaced by the
// receive time. The record is kept, timed at the receive time, and flagged with its text.
TEST_F(BodyLogTest, Issue13InvalidTimeIsFlaggedNotSilentlyRedated) {
  for (std::string_view bad : {"9999-12-31", "2025-13-45T99:99:99Z", "2026-11-20T00:00:00+99:00",
                               "1969-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "not a time"}) {
    SCOPED_TRACE(bad);
    const std::string record =
        R"({"time": ")" + std::string(bad) + R"(", "remote_addr": "192.0.2.1", "uri": "/x"})";
    ASSERT_TRUE(Parse(record).ok());
    EXPECT_EQ(Last().timestamp_ns, kReference);
    EXPECT_EQ(Get(field::kEventTimeInvalid), bad);
    EXPECT_EQ(Get("event.time_invalid"), bad);
    EXPECT_EQ(Get(field::kSourceIp), "192.0.2.1");  // the evidence is all there
  }
  // Valid and absent times carry no flag.
  ASSERT_TRUE(Parse(kFormLogin).ok());
  EXPECT_EQ(Last().timestamp_ns, k20261120Kst);
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  ASSERT_TRUE(Parse(R"({"remote_addr": "192.0.2.1"})").ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  // The edges of the accepted range (1970..2200) are valid.
  ASSERT_TRUE(Parse(R"({"time": "2200-12-31T23:59:59Z"})").ok());
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  ASSERT_TRUE(Parse(R"({"time": "1970-01-01T00:00:00Z"})").ok());
  EXPECT_EQ(Last().timestamp_ns, 0);
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  // A long text keeps its first 64 bytes, never half a UTF-8 character.
  const std::string long_text = std::string(63, 'x') + "\u00e9" + std::string(20, 'y');
  ASSERT_TRUE(Parse(R"({"time": ")" + long_text + R"("})").ok());
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::string(63, 'x'));
  ASSERT_TRUE(Parse(R"({"time": ")" + std::string(100, '9') + R"("})").ok());
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::string(64, '9'));
}

TEST_F(BodyLogTest, RemoteUserIsTheUserName) {
  // The optional $remote_user (HTTP Basic authentication), as the access log maps it.
  ASSERT_TRUE(Parse(R"({"remote_addr": "192.0.2.1", "remote_user": "kim", "uri": "/x"})").ok());
  EXPECT_EQ(Get(field::kUserName), "kim");
  EXPECT_EQ(Get("remote_user"), std::nullopt);
  ASSERT_TRUE(Parse(R"({"remote_addr": "192.0.2.1", "remote_user": "-", "uri": "/x"})").ok());
  EXPECT_EQ(Get(field::kUserName), std::nullopt);
  ASSERT_TRUE(Parse(R"({"remote_addr": "192.0.2.1", "remote_user": "", "uri": "/x"})").ok());
  EXPECT_EQ(Get(field::kUserName), std::nullopt);
}

TEST_F(BodyLogTest, FormDecoding) {
  ASSERT_TRUE(
      Parse(R"({"content_type": "application/x-www-form-urlencoded; charset=UTF-8",)"
            R"( "request_body": "q=a+b%20c&user%5Bname%5D=kim&empty=&flag&%zz=100%&=v&&x=1&x=2"})")
          .ok());
  EXPECT_EQ(Get("body.q"), "a b c");
  EXPECT_EQ(Get("body.user[name]"), "kim");
  EXPECT_FALSE(Get("body.empty").has_value());
  EXPECT_FALSE(Get("body.flag").has_value());
  EXPECT_EQ(Get("body.%zz"), "100%");  // invalid escapes kept literally
  EXPECT_EQ(All("body.x"), (std::vector<std::string_view>{"1", "2"}));
}

TEST_F(BodyLogTest, BodyKindIsSniffedWithoutContentType) {
  ASSERT_TRUE(Parse(R"({"uri": "/a", "request_body": "a=1&b=%41"})").ok());
  EXPECT_EQ(Get("body.a"), "1");
  EXPECT_EQ(Get("body.b"), "A");

  ASSERT_TRUE(
      Parse(R"({"uri": "/a", "request_body": " [{\"name\": \"x\"}, {\"name\": \"y\"}]"})").ok());
  EXPECT_EQ(All("body.name"), (std::vector<std::string_view>{"x", "y"}));

  // Neither form nor JSON: only the raw body.
  ASSERT_TRUE(Parse(R"({"uri": "/a", "request_body": "hello world = yes"})").ok());
  EXPECT_EQ(Get(field::kHttpRequestBodyContent), "hello world = yes");
  EXPECT_EQ(FieldCount(), 3u);

  // Multipart is not decoded.
  ASSERT_TRUE(Parse(R"({"uri": "/a", "content_type": "multipart/form-data; boundary=x",)"
                    R"( "request_body": "a=1"})")
                  .ok());
  EXPECT_FALSE(Get("body.a").has_value());
}

TEST_F(BodyLogTest, JsonBodyDetails) {
  ASSERT_TRUE(Parse(R"({"uri": "/a", "content_type": "application/vnd.api+json",)"
                    R"( "request_body": "{\"a\": {\"b\": [1, {\"c\": true}], \"d\": null},)"
                    R"( \"e\": \"\\u00e9\", \"f\": 1e2}"})")
                  .ok());
  EXPECT_EQ(Get("body.a.b"), "1");
  EXPECT_EQ(Get("body.a.b.c"), "true");
  EXPECT_FALSE(Get("body.a.d").has_value());
  EXPECT_EQ(Get("body.e"), "\xC3\xA9");
  EXPECT_EQ(Get("body.f"), "1e2");

  // A broken JSON body keeps the event and the raw body.
  ASSERT_TRUE(Parse(R"({"uri": "/a", "content_type": "application/json",)"
                    R"( "request_body": "{\"a\": 1, \"b\": "})")
                  .ok());
  EXPECT_EQ(Get(field::kHttpRequestBodyContent), "{\"a\": 1, \"b\": ");
  EXPECT_FALSE(Get("_truncated_fields").has_value());
}

TEST_F(BodyLogTest, RawNonUtf8BytesFromNginxAreKept) {
  // nginx escape=json passes bytes >= 0x80 through unchanged: the line is not UTF-8.
  const std::string record =
      "{\"remote_addr\": \"192.0.2.9\", \"uri\": \"/up\", \"content_type\": "
      "\"application/x-www-form-urlencoded\", \"request_body\": \"name=\xff\xfe&id=%FF\"}";
  ASSERT_TRUE(Parse(record).ok());
  EXPECT_EQ(Last().raw, record);
  EXPECT_EQ(Get(field::kSourceIp), "192.0.2.9");
  EXPECT_EQ(Get("body.name"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Get("body.id"), "\xFF");  // percent-decoding yields raw bytes by design
}

TEST_F(BodyLogTest, BodyFieldsShareTheFieldLimit) {
  std::string body;
  for (int i = 0; i < 1500; ++i) {
    body += (i == 0 ? "" : "&") + std::string("p") + std::to_string(i) + "=v";
  }
  ASSERT_TRUE(Parse(R"({"uri": "/bulk", "request_body": ")" + body + "\"}").ok());
  EXPECT_EQ(Get("body.p1023"), "v");
  EXPECT_FALSE(Get("body.p1024").has_value());
  EXPECT_EQ(Get("_truncated_fields"), "476");
}

TEST_F(BodyLogTest, DeepJsonBodyIsDepthLimited) {
  std::string body;
  for (int i = 0; i < 40; ++i) {
    body += "{\\\"a\\\": ";
  }
  body += "1";
  body += std::string(40, '}');
  ASSERT_TRUE(Parse(R"({"uri": "/deep", "content_type": "application/json", "request_body": ")" +
                    body + "\"}")
                  .ok());
  EXPECT_EQ(Get("_truncated_fields"), "1");
}

TEST_F(BodyLogTest, Errors) {
  struct Case {
    std::string record;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "body log: empty record"},
      {"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326",
       "body log: not a JSON object"},
      {R"({"remote_addr": "1.2.3.4",, "uri": "/x"})", "body log: invalid JSON"},
      {R"(["remote_addr"])", "body log: not a JSON object"},
      {R"({"remote_addr": "1.2.3.4", "uri": "/x")", "body log: truncated JSON object"},
      {R"({"foo": 1, "bar": "x"})",
       "body log: no Body Log keys (remote_addr, uri, request_body, ...)"},
      {"{}", "body log: no Body Log keys (remote_addr, uri, request_body, ...)"},
  };
  for (const Case& c : cases) {
    Status s = Parse(c.record);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.record;
    EXPECT_EQ(s.message(), c.message) << c.record;
    EXPECT_EQ(batch_.size(), 0u) << c.record;
  }
  ASSERT_TRUE(Parse(kFormLogin).ok());
  EXPECT_EQ(Last().field_begin, 0u);
}

TEST(BodyLogCorpusTest, SampleAllParse) {
  const std::filesystem::path file =
      std::filesystem::path(RAMPART_SOURCE_DIR) / "../shared/corpora/bodylog/sample.jsonl";
  if (!std::filesystem::is_regular_file(file)) {
    GTEST_SKIP() << "corpus not found: " << file << " (../shared/corpora is optional)";
  }
  auto parser = internal::MakeBodyLogParser();
  ParseContext ctx;
  ctx.reference_time_ns = kReference;
  EventBatch batch;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  size_t lines = 0;
  size_t with_body_fields = 0;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    ++lines;
    Status s = parser->Parse(line, ctx, batch);
    ASSERT_TRUE(s.ok()) << "line " << lines << ": " << s.message();
    const Event& e = batch[batch.size() - 1];
    EXPECT_EQ(e.dataset, "nginx.body");
    EXPECT_NE(e.timestamp_ns, kReference) << "line " << lines;
    EXPECT_TRUE(batch.Find(e, field::kSourceIp).has_value()) << "line " << lines;
    EXPECT_TRUE(batch.Find(e, field::kHttpRequestBodyContent).has_value()) << "line " << lines;
    for (const Field& f : batch.fields(e)) {
      if (FieldDict::Name(f.id).substr(0, 5) == "body.") {
        ++with_body_fields;
        break;
      }
    }
  }
  EXPECT_EQ(lines, 200u);
  EXPECT_EQ(batch.size(), 200u);
  EXPECT_EQ(with_body_fields, 200u);  // every sample body is a form or a JSON object
}

}  // namespace
}  // namespace rampart::parse
