#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "enrich/enrich.h"
#include "parse/parse.h"

namespace rampart::enrich {
namespace {

const std::string kKey(32, 'k');

using FieldList = std::vector<std::pair<std::string, std::string>>;

// Appends one event with `raw` and `fields` (names interned) to `batch`.
void AddEvent(EventBatch& batch, std::string_view raw, const FieldList& fields) {
  Event& e = batch.BeginEvent();
  e.raw = batch.Copy(raw);
  for (const auto& [name, value] : fields) {
    batch.AddField(FieldDict::Intern(name), batch.Copy(value));
  }
  batch.CommitEvent();
}

std::string Get(const EventBatch& batch, size_t i, std::string_view name) {
  auto v = batch.Find(batch[i], FieldDict::Intern(name));
  return v ? std::string(*v) : "<absent>";
}

// Every field value and the raw record of every event, for "secret appears nowhere" checks.
std::vector<std::string> AllText(const EventBatch& batch) {
  std::vector<std::string> out;
  for (const Event& e : batch.events()) {
    out.emplace_back(e.raw);
    for (const Field& f : batch.fields(e)) {
      out.emplace_back(f.value);
    }
  }
  return out;
}

// Percent-encodes every byte except RFC 3986 unreserved ones, with upper or lower hex.
std::string PercentEncode(std::string_view s, bool upper) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

TEST(MaskerTest, DefaultFieldActions) {
  EventBatch batch;
  AddEvent(batch, "raw",
           {{"user.name", "kim0"},
            {"http.request.headers.authorization", "Bearer abc.def-123"},
            {"http.request.headers.x_api_key", "sk_live_0C1ffb4DC5BFedcdCf5134560A539484"},
            {"http.request.headers.cookie", "SESSIONID=s3ss10n; lang=ko"},
            {"cookie.SESSIONID", "s3ss10n"},
            {"body.password", "Pw!kCde5gA8d3qc"},
            {"body.note", "card 5112690604431983 please"},
            {"source.ip", "203.0.113.83"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);

  EXPECT_EQ(Get(batch, 0, "user.name"), "kim0");
  EXPECT_EQ(Get(batch, 0, "http.request.headers.authorization"),
            "Bearer " + PseudonymToken(kKey, "abc.def-123"));
  EXPECT_EQ(Get(batch, 0, "http.request.headers.x_api_key"),
            PseudonymToken(kKey, "sk_live_0C1ffb4DC5BFedcdCf5134560A539484"));
  EXPECT_EQ(Get(batch, 0, "http.request.headers.cookie"),
            PseudonymToken(kKey, "SESSIONID=s3ss10n; lang=ko"));
  EXPECT_EQ(Get(batch, 0, "cookie.SESSIONID"), PseudonymToken(kKey, "s3ss10n"));
  EXPECT_EQ(Get(batch, 0, "body.password"), "[REDACTED]");
  EXPECT_EQ(Get(batch, 0, "body.note"), "card ************1983 please");
  EXPECT_EQ(Get(batch, 0, "source.ip"), "203.0.113.83");

  const MaskerStats& s = masker.stats();
  EXPECT_EQ(s.events, 1u);
  EXPECT_EQ(s.fields_masked, 1u);
  EXPECT_EQ(s.fields_hashed, 4u);
  EXPECT_EQ(s.detections[static_cast<size_t>(Detector::kCard)], 1u);
}

TEST(MaskerTest, DetectorMaskFormats) {
  EventBatch batch;
  AddEvent(batch, "",
           {{"message",
             "rrn 740209-1705866 / 7402091705866, mobile 010-3117-1707, 01031171707, "
             "+82 10-3117-1707, seoul 02-123-4567, mail kim.lee@example.co.kr, "
             "card 4111 1111 1111 1111, jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_123"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(Get(batch, 0, "message"),
            "rrn ******-******* / *************, mobile 010-****-1707, 010****1707, "
            "+82 10-****-1707, seoul 02-***-4567, mail k***@example.co.kr, "
            "card **** **** **** 1111, jwt " +
                PseudonymToken(kKey, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_123"));
}

TEST(MaskerTest, PolicyDropKeepGlobAndDetectorSettings) {
  auto policy = std::make_shared<MaskingPolicy>(*DefaultMaskingPolicy());
  policy->fields.push_back(FieldRule{"body.debug*", MaskAction::kDrop});
  policy->fields.push_back(FieldRule{"body.trace_id", MaskAction::kKeep});
  policy->detectors.email = DetectorAction::kHash;
  policy->detectors.phone = DetectorAction::kOff;
  EventBatch batch;
  AddEvent(batch, R"({"debug_dump": "internal-state-blob", "trace_id": "010-1234-5678"})",
           {{"body.debug_dump", "internal-state-blob"},
            {"body.trace_id", "010-1234-5678"},
            {"body.contact", "kim@example.com 010-9999-8888"}});
  Masker masker(policy, kKey);
  masker.Apply(batch);

  // The dropped field keeps its slot (spans stay stable) with no id and no value.
  std::span<const Field> fields = batch.fields(batch[0]);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].id, kDroppedField);
  EXPECT_TRUE(fields[0].value.empty());
  EXPECT_EQ(Get(batch, 0, "body.trace_id"), "010-1234-5678") << "keep: no detectors";
  EXPECT_EQ(Get(batch, 0, "body.contact"),
            PseudonymToken(kKey, "kim@example.com") + " 010-9999-8888");
  // A dropped value is gone from the raw record too; the kept one stays.
  EXPECT_EQ(batch[0].raw, R"({"debug_dump": "[REDACTED]", "trace_id": "010-1234-5678"})");
  EXPECT_EQ(masker.stats().fields_dropped, 1u);
}

TEST(MaskerTest, RawRecordLosesJsonEscapedSecrets) {
  // A password with characters JSON must escape, inside a JSON body inside the JSON record:
  // the raw line carries it doubly escaped, and \u-escaped non-ASCII.
  const std::string password = "p\"a/ss\\비밀";
  const std::string raw =
      R"({"uri": "/api/v1/login", "request_body": "{\"user\": \"lee1\", \"passwd\": )"
      R"(\"p\\\"a\\/ss\\\\\\ube44\\uBC00\"}", "note": "again: p\"a\/ss\\\ube44\ubc00"})";
  EventBatch batch;
  AddEvent(batch, raw, {{"body.user", "lee1"}, {"body.passwd", password}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(Get(batch, 0, "body.passwd"), "[REDACTED]");
  EXPECT_EQ(batch[0].raw,
            R"({"uri": "/api/v1/login", "request_body": "{\"user\": \"lee1\", \"passwd\": )"
            R"(\"[REDACTED]\"}", "note": "again: [REDACTED]"})");
}

TEST(MaskerTest, RawRecordLosesUrlEncodedSecrets) {
  // The parser decoded the form body; the raw line keeps it encoded, in mixed styles.
  const std::string raw =
      R"({"request_body": "username=kim0&password=Pw%21k%2fC+de&confirm=Pw!k%2FC%20de", )"
      R"("uri": "/reset?old=Pw%21K%2FC+de&mail=kim%40example.com"})";
  EventBatch batch;
  AddEvent(
      batch, raw,
      {{"http.request.body.content", "username=kim0&password=Pw%21k%2fC+de&confirm=Pw!k%2FC%20de"},
       {"body.password", "Pw!k/C de"},
       {"body.confirm", "Pw!k/C de"},
       {"url.query", "old=Pw%21K%2FC+de&mail=kim%40example.com"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(Get(batch, 0, "http.request.body.content"),
            "username=kim0&password=[REDACTED]&confirm=[REDACTED]");
  EXPECT_EQ(Get(batch, 0, "body.confirm"), "[REDACTED]") << "found in its value: 'Pw!k/C de'";
  // "Pw%21K..." differs in case from the secret (K vs k): not the same secret, kept; the
  // e-mail is found by the detector in its encoded form.
  EXPECT_EQ(Get(batch, 0, "url.query"), "old=Pw%21K%2FC+de&mail=k***%40example.com");
  EXPECT_EQ(batch[0].raw,
            R"({"request_body": "username=kim0&password=[REDACTED]&confirm=[REDACTED]", )"
            R"("uri": "/reset?old=Pw%21K%2FC+de&mail=k***%40example.com"})");
}

TEST(MaskerTest, FieldFindingsLeaveTheRawRecordInEveryForm) {
  // The e-mail was found in the decoded field; the raw line has it as %40.
  EventBatch batch;
  AddEvent(batch, R"({"request_body": "name=hong&mail=user5388%40example.co.kr"})",
           {{"body.name", "hong"}, {"body.mail", "user5388@example.co.kr"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(Get(batch, 0, "body.mail"), "u***@example.co.kr");
  EXPECT_EQ(batch[0].raw, R"({"request_body": "name=hong&mail=u***@example.co.kr"})");
}

TEST(MaskerTest, HashedCredentialsLeaveTheRawRecord) {
  const std::string token = "eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp";
  const std::string raw = R"({"authorization": "Bearer )" + token + R"(", "cookie": "SESSIONID=)" +
                          token + R"(; lang=ko"})";
  EventBatch batch;
  AddEvent(batch, raw,
           {{"http.request.headers.authorization", "Bearer " + token},
            {"http.request.headers.cookie", "SESSIONID=" + token + "; lang=ko"},
            {"cookie.SESSIONID", token},
            {"cookie.lang", "ko"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  std::string hashed = PseudonymToken(kKey, token);
  EXPECT_EQ(Get(batch, 0, "cookie.SESSIONID"), hashed);
  EXPECT_EQ(batch[0].raw, R"({"authorization": "Bearer )" + hashed + R"(", "cookie": ")" +
                              PseudonymToken(kKey, "SESSIONID=" + token + "; lang=ko") + R"("})");
}

TEST(MaskerTest, RawOnlySecretsAreFoundByDetectors) {
  // Nothing in the fields: a syslog line with a password and an API key in free text.
  EventBatch batch;
  AddEvent(batch,
           "Nov 20 00:00:01 web app[12]: login user=kim password=hunter22 "
           "api_key=sk_live_abc123 Authorization: Basic dXNlcjpwYXNz",
           {});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(batch[0].raw,
            "Nov 20 00:00:01 web app[12]: login user=kim password=[REDACTED] "
            "api_key=" +
                PseudonymToken(kKey, "sk_live_abc123") + " Authorization: Basic " +
                PseudonymToken(kKey, "dXNlcjpwYXNz"));
  EXPECT_EQ(masker.stats().raw_rewritten, 1u);
}

TEST(MaskerTest, ShellWorkingDirectoryIsNoPassword) {
  // sudo writes the working directory as PWD=; a web form's pwd= is a password.
  EventBatch batch;
  const std::string sudo =
      "<86>Nov 27 06:00:01 host sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
      "COMMAND=/bin/ls -l";
  AddEvent(batch, sudo, {{"process.working_directory", "/home/alice"}});
  AddEvent(batch, "POST /wp-login.php log=alice&pwd=/hunter22", {});
  AddEvent(batch, "env: OLDPWD=/tmp PWD=relative pwd=/x", {});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(batch[0].raw, sudo);
  EXPECT_EQ(Get(batch, 0, "process.working_directory"), "/home/alice");
  EXPECT_EQ(batch[1].raw, "POST /wp-login.php log=alice&pwd=[REDACTED]");
  EXPECT_EQ(batch[2].raw, "env: OLDPWD=/tmp PWD=[REDACTED] pwd=[REDACTED]");
}

TEST(MaskerTest, StableAcrossMaskersAndKeyed) {
  auto run = [](const std::string& key) {
    EventBatch batch;
    AddEvent(batch, "", {{"http.request.headers.x_api_key", "sk_live_same"}});
    Masker masker(DefaultMaskingPolicy(), key);
    masker.Apply(batch);
    return Get(batch, 0, "http.request.headers.x_api_key");
  };
  EXPECT_EQ(run(kKey), run(kKey));
  EXPECT_NE(run(kKey), run(std::string(32, 'j')));
  EXPECT_EQ(run(kKey), PseudonymToken(kKey, "sk_live_same"));
}

TEST(MaskerTest, ShortSecretsOnlyWhereTheyStandAlone) {
  EventBatch batch;
  AddEvent(batch, R"({"request_body": "{\"cvv\": \"123\"}", "request_time": 0.123, "n": 51234})",
           {{"body.cvv", "123"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(Get(batch, 0, "body.cvv"), "[REDACTED]");
  EXPECT_EQ(batch[0].raw,
            R"({"request_body": "{\"cvv\": \"[REDACTED]\"}", "request_time": 0.123, "n": 51234})");
}

TEST(MaskerTest, ShortValuesUnderHashKeysAreNoCredentials) {
  EventBatch batch;
  AddEvent(batch, "",
           {{"TerminalSessionId", "1"},
            {"SessionId", "2"},
            {"body.session_token", "abc"},
            {"body.auth_token", "tok_9f8e7d6c5b4a"},
            {"cookie.lang", "ko"},
            {"body.pin", "12"}});
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(Get(batch, 0, "TerminalSessionId"), "1") << "ignored key";
  EXPECT_EQ(Get(batch, 0, "SessionId"), "2") << "too short to be a session id";
  EXPECT_EQ(Get(batch, 0, "body.session_token"), "abc") << "too short to be a token";
  EXPECT_EQ(Get(batch, 0, "body.auth_token"), PseudonymToken(kKey, "tok_9f8e7d6c5b4a"));
  EXPECT_EQ(Get(batch, 0, "cookie.lang"), PseudonymToken(kKey, "ko")) << "cookie.* rule";
  EXPECT_EQ(Get(batch, 0, "body.pin"), "[REDACTED]") << "short secrets under mask keys";
}

TEST(MaskerTest, BatchOutlivesMaskerAndPolicy) {
  EventBatch batch;
  {
    auto policy = std::make_shared<MaskingPolicy>(*DefaultMaskingPolicy());
    policy->mask_text = "[GONE]";
    AddEvent(batch, "password=x1y2", {{"body.password", "x1y2"}});
    Masker masker(std::move(policy), kKey);
    masker.Apply(batch);
  }
  EXPECT_EQ(Get(batch, 0, "body.password"), "[GONE]");
  EXPECT_EQ(batch[0].raw, "password=[GONE]");
}

TEST(MaskerTest, ManyEventsAndEmptyValues) {
  EventBatch batch;
  for (int i = 0; i < 100; ++i) {
    AddEvent(batch, "", {{"body.password", ""}, {"message", ""}, {"body.pin", "1234"}});
  }
  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);
  EXPECT_EQ(masker.stats().events, 100u);
  EXPECT_EQ(masker.stats().fields_masked, 100u);
  EXPECT_EQ(Get(batch, 99, "body.password"), "");
  EXPECT_EQ(Get(batch, 99, "body.pin"), "[REDACTED]");
}

// Acceptance: every raw secret of the Body Log sample is gone after parsing and masking,
// from every field value and every raw record, literally and URL-encoded.
TEST(MaskerCorpusTest, BodyLogSampleLeaksNoSecret) {
  const std::string dir = RAMPART_SOURCE_DIR "/../shared/corpora/bodylog";
  std::ifstream lines(dir + "/sample.jsonl");
  std::ifstream secrets_file(dir + "/sample.secrets");
  if (!lines || !secrets_file) {
    GTEST_SKIP() << "corpus not found at " << dir << " (sample.jsonl, sample.secrets)";
  }
  std::vector<std::string> secrets;
  for (std::string s; std::getline(secrets_file, s);) {
    if (!s.empty()) {
      secrets.push_back(s);
    }
  }
  ASSERT_FALSE(secrets.empty());

  auto parser = parse::MakeParser(parse::Format::kBodyLog);
  ASSERT_NE(parser, nullptr);
  EventBatch batch;
  parse::ParseContext ctx;
  size_t records = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) {
      continue;
    }
    ++records;
    Status st = parser->Parse(line, ctx, batch);
    ASSERT_TRUE(st.ok()) << "line " << records << ": " << st.ToString();
  }
  ASSERT_EQ(batch.size(), records);

  // The corpus really carries the secrets before masking (the test would be vacuous if
  // the parser lost them).
  size_t present_before = 0;
  for (const std::string& text : AllText(batch)) {
    for (const std::string& s : secrets) {
      present_before += text.find(s) != std::string::npos ? 1 : 0;
    }
  }
  EXPECT_GT(present_before, secrets.size());

  Masker masker(DefaultMaskingPolicy(), kKey);
  masker.Apply(batch);

  size_t leaks = 0;
  for (const std::string& text : AllText(batch)) {
    for (const std::string& s : secrets) {
      for (const std::string& form : {s, PercentEncode(s, true), PercentEncode(s, false)}) {
        if (text.find(form) != std::string::npos) {
          ++leaks;
          ADD_FAILURE() << "secret '" << s << "' (as '" << form << "') leaked in: " << text;
        }
      }
    }
  }
  EXPECT_EQ(leaks, 0u);

  // And masking kept what analytics needs.
  const MaskerStats& st = masker.stats();
  EXPECT_EQ(st.events, records);
  EXPECT_GT(st.fields_hashed, 0u);
  EXPECT_GT(st.fields_masked, 0u);
  EXPECT_GT(st.raw_rewritten, 0u);
  size_t bearer_hashed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto auth = batch.Find(batch[i], field::kHttpRequestAuthorization);
    if (auth) {
      EXPECT_EQ(auth->substr(0, 12), "Bearer hmac:") << *auth;
      ++bearer_hashed;
    }
    auto ip = batch.Find(batch[i], field::kSourceIp);
    ASSERT_TRUE(ip.has_value());
    EXPECT_EQ(ip->substr(0, 10), "203.0.113.") << "structural fields are kept";
  }
  EXPECT_GT(bearer_hashed, 0u);
}

}  // namespace
}  // namespace rampart::enrich
