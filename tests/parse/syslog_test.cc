#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/strings.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse {
namespace {

constexpr int64_t kSec = 1'000'000'000;
// 2026-12-31T00:00:00Z: the reference ("received at") time for year-less lines.
constexpr int64_t kReference = 1798675200 * kSec;
// 2026-12-10T00:00:00Z: the day of the loghub OpenSSH sample, resolved against kReference.
constexpr int64_t kDec10 = 1796860800 * kSec;

int64_t Dec10(int h, int m, int s) {
  return kDec10 + (h * 3600 + m * 60 + s) * kSec;
}

struct Parsed {
  Status status;
  EventBatch batch;

  const Event& event() const { return batch[0]; }
  std::optional<std::string_view> Get(std::string_view name) const {
    std::optional<FieldId> id = FieldDict::Find(name);
    if (!id) {
      return std::nullopt;
    }
    return batch.Find(batch[0], *id);
  }
};

Parsed Parse(std::string_view line, int64_t reference = kReference) {
  Parsed p;
  ParseContext ctx;
  ctx.reference_time_ns = reference;
  ctx.tenant = "acme";
  std::unique_ptr<Parser> parser = internal::MakeSyslogParser();
  p.status = parser->Parse(line, ctx, p.batch);
  return p;
}

// Every field of event `i` as "name=value", sorted, so a test states the complete output.
std::vector<std::string> FieldList(const EventBatch& batch, size_t i = 0) {
  std::vector<std::string> out;
  for (const Field& f : batch.fields(batch[i])) {
    out.push_back(std::string(FieldDict::Name(f.id)) + "=" + std::string(f.value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// ---------------------------------------------------------------------------------------
// Golden: real lines from the loghub OpenSSH sample (third-party; a few lines only).

struct GoldenCase {
  std::string_view line;
  int64_t timestamp_ns;
  std::vector<std::string> extracted;  // fields beyond the common header fields
};

// host.name, process.name, process.pid and message of a "Dec 10 ... LabSZ sshd[pid]: msg"
// line, found here by plain string search rather than by the parser's scanner.
std::vector<std::string> CommonSshdFields(std::string_view line) {
  size_t open = line.find("sshd[");
  size_t close = line.find("]: ", open);
  std::vector<std::string> v = {
      "host.name=LabSZ",
      "process.name=sshd",
      "process.pid=" + std::string(line.substr(open + 5, close - open - 5)),
  };
  std::string_view msg = line.substr(close + 3);
  if (!msg.empty()) {
    v.push_back("message=" + std::string(msg));
  }
  return v;
}

TEST(SyslogParserTest, OpenSshGoldenLines) {
  const std::vector<GoldenCase> cases = {
      {"Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for "
       "ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
       Dec10(6, 55, 46),
       {"event.category=intrusion_detection", "event.action=ssh_break_in_attempt",
        "source.ip=173.234.31.186", "source.domain=ns.marryaldkfaczcz.com"}},
      {"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
       Dec10(6, 55, 46),
       {"event.category=authentication", "event.action=invalid_user", "event.outcome=failure",
        "user.name=webmaster", "source.ip=173.234.31.186"}},
      {"Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster "
       "[preauth]",
       Dec10(6, 55, 46),
       {"event.category=authentication", "event.action=invalid_user", "event.outcome=failure",
        "user.name=webmaster"}},
      {"Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown",
       Dec10(6, 55, 46),
       {"event.category=authentication", "event.action=pam_user_unknown", "event.outcome=failure"}},
      {"Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; "
       "logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ",
       Dec10(6, 55, 46),
       {"event.category=authentication", "event.action=pam_auth_failure", "event.outcome=failure",
        "source.ip=173.234.31.186"}},
      {"Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; "
       "logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  "
       "user=root",
       Dec10(7, 13, 31),
       {"event.category=authentication", "event.action=pam_auth_failure", "event.outcome=failure",
        "source.domain=5.36.59.76.dynamic-dsl-ip.omantel.net.om", "user.name=root"}},
      {"Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from "
       "173.234.31.186 port 38926 ssh2",
       Dec10(6, 55, 48),
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=failure",
        "system.auth.ssh.method=password", "user.name=webmaster", "source.ip=173.234.31.186",
        "source.port=38926"}},
      {"Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 "
       "ssh2",
       Dec10(7, 13, 43),
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=failure",
        "system.auth.ssh.method=password", "user.name=root", "source.ip=5.36.59.76",
        "source.port=42393"}},
      {"Dec 10 08:24:40 LabSZ sshd[24363]: Failed none for invalid user 0 from 5.188.10.180 port "
       "49811 ssh2",
       Dec10(8, 24, 40),
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=failure",
        "system.auth.ssh.method=none", "user.name=0", "source.ip=5.188.10.180",
        "source.port=49811"}},
      {"Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port "
       "49116 ssh2",
       Dec10(9, 32, 20),
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=success",
        "system.auth.ssh.method=password", "user.name=fztu", "source.ip=119.137.62.142",
        "source.port=49116"}},
      {"Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 [preauth]",
       Dec10(6, 55, 48),
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=173.234.31.186"}},
      {"Dec 10 07:07:45 LabSZ sshd[24206]: Received disconnect from 52.80.34.196: 11: Bye Bye "
       "[preauth]",
       Dec10(7, 7, 45),
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=52.80.34.196"}},
      {"Dec 10 07:51:15 LabSZ sshd[24324]: error: Received disconnect from 195.154.37.122: 3: "
       "com.jcraft.jsch.JSchException: Auth fail [preauth]",
       Dec10(7, 51, 15),
       {"event.category=authentication", "event.action=ssh_auth_refused_disconnect",
        "event.outcome=failure", "source.ip=195.154.37.122"}},
      {"Dec 10 07:34:33 LabSZ sshd[24301]: Did not receive identification string from "
       "123.235.32.19",
       Dec10(7, 34, 33),
       {"event.category=network", "event.action=ssh_no_identification", "source.ip=123.235.32.19"}},
      {"Dec 10 10:14:13 LabSZ sshd[24833]: Disconnecting: Too many authentication failures for "
       "admin [preauth]",
       Dec10(10, 14, 13),
       {"event.category=authentication", "event.action=ssh_max_attempts", "event.outcome=failure",
        "user.name=admin"}},
      {"Dec 10 07:13:56 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 "
       "euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root",
       Dec10(7, 13, 56),
       {"event.category=authentication", "event.action=pam_more_failures", "event.outcome=failure",
        "source.domain=5.36.59.76.dynamic-dsl-ip.omantel.net.om", "user.name=root"}},
      {"Dec 10 08:26:04 LabSZ sshd[24375]: PAM 1 more authentication failure; logname= uid=0 "
       "euid=0 tty=ssh ruser= rhost=5.188.10.180 ",
       Dec10(8, 26, 4),
       {"event.category=authentication", "event.action=pam_more_failures", "event.outcome=failure",
        "source.ip=5.188.10.180"}},
      {"Dec 10 09:32:20 LabSZ sshd[24680]: pam_unix(sshd:session): session opened for user fztu "
       "by (uid=0)",
       Dec10(9, 32, 20),
       {"event.category=session", "event.action=session_opened", "event.outcome=success",
        "user.name=fztu"}},
      {"Dec 10 09:45:06 LabSZ sshd[24680]: pam_unix(sshd:session): session closed for user fztu",
       Dec10(9, 45, 6),
       {"event.category=session", "event.action=session_closed", "event.outcome=success",
        "user.name=fztu"}},
      // "message repeated N times: [ ... ]": see RepeatedMessageIsTheMessageWithItsCount.
      {"Dec 10 11:03:53 LabSZ sshd[25457]: fatal: Write failed: Connection reset by peer "
       "[preauth]",
       Dec10(11, 3, 53),
       {}},
  };
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.line);
    Parsed p = Parse(c.line);
    ASSERT_TRUE(p.status.ok()) << p.status.ToString();
    ASSERT_EQ(p.batch.size(), 1u);
    const Event& e = p.event();
    EXPECT_EQ(e.timestamp_ns, c.timestamp_ns);
    EXPECT_EQ(e.dataset, "linux.auth");
    EXPECT_EQ(e.tenant, "acme");
    EXPECT_EQ(e.raw, c.line);
    std::vector<std::string> want = CommonSshdFields(c.line);
    want.insert(want.end(), c.extracted.begin(), c.extracted.end());
    EXPECT_EQ(FieldList(p.batch), Sorted(want));
  }
}

// ---------------------------------------------------------------------------------------
// RFC 5424 §6.5 examples

TEST(SyslogParserTest, RepeatedMessageIsTheMessageWithItsCount) {
  Parsed p = Parse(
      "Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root "
      "from 5.36.59.76 port 42393 ssh2]");
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  EXPECT_EQ(p.Get("message"), "Failed password for root from 5.36.59.76 port 42393 ssh2");
  EXPECT_EQ(p.Get("event.repeat_count"), "5");
  EXPECT_EQ(p.Get("event.outcome"), "failure");
  EXPECT_EQ(p.Get("source.ip"), "5.36.59.76");
  EXPECT_EQ(p.Get("user.name"), "root");
  // Not the rsyslog form: left as it is.
  Parsed q = Parse("Dec 10 07:13:56 LabSZ app[1]: message repeated often: [x]");
  ASSERT_TRUE(q.status.ok());
  EXPECT_EQ(q.Get("message"), "message repeated often: [x]");
  EXPECT_FALSE(q.Get("event.repeat_count").has_value());
}

TEST(SyslogParserTest, Rfc5424Example1WithBom) {
  Parsed p = Parse(
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
      "\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().timestamp_ns, 1065910455 * kSec + 3'000'000);
  EXPECT_EQ(p.event().dataset, "linux.auth");  // facility 4 (auth), program su
  EXPECT_EQ(FieldList(p.batch), Sorted({"log.syslog.priority=34", "log.syslog.facility.code=4",
                                        "log.syslog.severity.code=2", "log.syslog.version=1",
                                        "host.name=mymachine.example.com", "process.name=su",
                                        "log.syslog.appname=su", "log.syslog.msgid=ID47",
                                        "message='su root' failed for lonvick on /dev/pts/8"}));
}

TEST(SyslogParserTest, Rfc5424Example2NoStructuredDataNoBom) {
  Parsed p = Parse(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make "
      "the do-nuts.");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().timestamp_ns, 1061727255 * kSec + 3'000);
  EXPECT_EQ(p.event().dataset, "linux.syslog");
  EXPECT_EQ(FieldList(p.batch),
            Sorted({"log.syslog.priority=165", "log.syslog.facility.code=20",
                    "log.syslog.severity.code=5", "log.syslog.version=1", "host.name=192.0.2.1",
                    "process.name=myproc", "log.syslog.appname=myproc", "process.pid=8710",
                    "message=%% It's time to make the do-nuts."}));
}

TEST(SyslogParserTest, Rfc5424Example3StructuredDataAndMessage) {
  Parsed p = Parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
      "\xEF\xBB\xBF"
      "An application event log entry...");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(FieldList(p.batch), Sorted({"log.syslog.priority=165", "log.syslog.facility.code=20",
                                        "log.syslog.severity.code=5", "log.syslog.version=1",
                                        "host.name=mymachine.example.com", "process.name=evntslog",
                                        "log.syslog.appname=evntslog", "log.syslog.msgid=ID47",
                                        "syslog.sd.exampleSDID@32473.iut=3",
                                        "syslog.sd.exampleSDID@32473.eventSource=Application",
                                        "syslog.sd.exampleSDID@32473.eventID=1011",
                                        "message=An application event log entry..."}));
}

TEST(SyslogParserTest, Rfc5424Example4TwoElementsNoMessage) {
  Parsed p = Parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
      "[examplePriority@32473 class=\"high\"]");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.Get("syslog.sd.examplePriority@32473.class").value_or("?"), "high");
  EXPECT_EQ(p.Get("syslog.sd.exampleSDID@32473.eventID").value_or("?"), "1011");
  EXPECT_FALSE(p.Get("message").has_value());
}

TEST(SyslogParserTest, StructuredDataEscapes) {
  Parsed p =
      Parse(R"(<13>1 2026-01-02T03:04:05Z h app 1 - [ex@1 q="say \"hi\"" b="a\]b" s="c:\\dir" )"
            R"(o="x\ny" e=""] msg)");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.Get("syslog.sd.ex@1.q").value_or("?"), "say \"hi\"");
  EXPECT_EQ(p.Get("syslog.sd.ex@1.b").value_or("?"), "a]b");
  EXPECT_EQ(p.Get("syslog.sd.ex@1.s").value_or("?"), "c:\\dir");
  EXPECT_EQ(p.Get("syslog.sd.ex@1.o").value_or("?"), "x\\ny");  // not an RFC escape: kept
  EXPECT_EQ(p.Get("syslog.sd.ex@1.e").value_or("?"), "");
  EXPECT_EQ(p.Get("message").value_or("?"), "msg");
}

TEST(SyslogParserTest, Rfc5424NilValuesAndNilTimestamp) {
  // logger --rfc5424=notq,notime: nil timestamp → the reference (receive) time.
  Parsed p = Parse("<13>1 - vm app - - - x");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().timestamp_ns, kReference);
  EXPECT_EQ(FieldList(p.batch),
            Sorted({"log.syslog.priority=13", "log.syslog.facility.code=1",
                    "log.syslog.severity.code=5", "log.syslog.version=1", "host.name=vm",
                    "process.name=app", "log.syslog.appname=app", "message=x"}));
  Parsed all_nil = Parse("<0>1 - - - - - -");
  ASSERT_TRUE(all_nil.status.ok()) << all_nil.status.ToString();
  EXPECT_EQ(FieldList(all_nil.batch),
            Sorted({"log.syslog.priority=0", "log.syslog.facility.code=0",
                    "log.syslog.severity.code=0", "log.syslog.version=1"}));
}

// ---------------------------------------------------------------------------------------
// What `logger --server 127.0.0.1 --port N --udp|--tcp` (util-linux 2.38.1) sent, captured.

TEST(SyslogParserTest, LoggerRfc5424Default) {
  Parsed p = Parse(
      "<38>1 2026-11-26T22:50:36.191181+00:00 vm sshd - - [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"] Accepted publickey for alice from 10.1.2.3 port 50122 ssh2: ED25519 "
      "SHA256:abc");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().timestamp_ns, 1795733436 * kSec + 191'181'000);
  EXPECT_EQ(p.event().dataset, "linux.auth");
  EXPECT_EQ(
      FieldList(p.batch),
      Sorted(
          {"log.syslog.priority=38", "log.syslog.facility.code=4", "log.syslog.severity.code=6",
           "log.syslog.version=1", "host.name=vm", "process.name=sshd", "log.syslog.appname=sshd",
           "syslog.sd.timeQuality.tzKnown=1", "syslog.sd.timeQuality.isSynced=0",
           "message=Accepted publickey for alice from 10.1.2.3 port 50122 ssh2: ED25519 SHA256:abc",
           "event.category=authentication", "event.action=ssh_login", "event.outcome=success",
           "system.auth.ssh.method=publickey", "user.name=alice", "source.ip=10.1.2.3",
           "source.port=50122"}));
}

TEST(SyslogParserTest, LoggerRfc5424WithPidAndMsgid) {
  Parsed p = Parse(
      "<131>1 2026-11-26T22:50:36.195483+00:00 vm root 3294 ID47 [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"] hi pid");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().dataset, "linux.syslog");  // facility 16 (local0), program root
  EXPECT_EQ(p.Get("process.pid").value_or("?"), "3294");
  EXPECT_EQ(p.Get("log.syslog.msgid").value_or("?"), "ID47");
  EXPECT_EQ(p.Get("log.syslog.facility.code").value_or("?"), "16");
  EXPECT_EQ(p.Get("log.syslog.severity.code").value_or("?"), "3");
  EXPECT_EQ(p.Get("message").value_or("?"), "hi pid");
}

TEST(SyslogParserTest, LoggerRfc5424MultipleSdElements) {
  Parsed p = Parse(
      "<13>1 2026-11-26T22:50:36.200060+00:00 vm root - - [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"][zoo@123 tiger=\"hungry\" zebra=\"running\"][manager@123 onMeal=\"yes\"] "
      "sd test");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.Get("syslog.sd.zoo@123.tiger").value_or("?"), "hungry");
  EXPECT_EQ(p.Get("syslog.sd.zoo@123.zebra").value_or("?"), "running");
  EXPECT_EQ(p.Get("syslog.sd.manager@123.onMeal").value_or("?"), "yes");
  EXPECT_EQ(p.Get("message").value_or("?"), "sd test");
}

TEST(SyslogParserTest, LoggerRfc3164) {
  // logger --rfc3164 -t sshd -p authpriv.notice (the TCP variant ends in "\n").
  for (std::string_view line :
       {"<85>Nov 26 22:50:36 vm sshd: hello 3164", "<85>Nov 26 22:50:36 vm sshd: hello 3164\n"}) {
    Parsed p = Parse(line);
    ASSERT_TRUE(p.status.ok()) << p.status.ToString();
    EXPECT_EQ(p.event().timestamp_ns, 1795733436 * kSec);
    EXPECT_EQ(p.event().raw, "<85>Nov 26 22:50:36 vm sshd: hello 3164");
    EXPECT_EQ(p.event().dataset, "linux.auth");
    EXPECT_EQ(FieldList(p.batch), Sorted({"log.syslog.priority=85", "log.syslog.facility.code=10",
                                          "log.syslog.severity.code=5", "host.name=vm",
                                          "process.name=sshd", "message=hello 3164"}));
  }
}

TEST(SyslogParserTest, LoggerSudoLine) {
  Parsed p = Parse(
      "<85>1 2026-11-26T22:50:43.268404+00:00 vm sudo - - [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"]    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
      "COMMAND=/usr/bin/cat /etc/shadow");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().dataset, "linux.auth");
  EXPECT_EQ(p.Get("event.category").value_or("?"), "process");
  EXPECT_EQ(p.Get("event.action").value_or("?"), "sudo_command");
  EXPECT_EQ(p.Get("event.outcome").value_or("?"), "success");
  EXPECT_EQ(p.Get("user.name").value_or("?"), "alice");
  EXPECT_EQ(p.Get("user.target.name").value_or("?"), "root");
  EXPECT_EQ(p.Get("process.working_directory").value_or("?"), "/home/alice");
  EXPECT_EQ(p.Get("process.command_line").value_or("?"), "/usr/bin/cat /etc/shadow");
}

// ---------------------------------------------------------------------------------------
// Header variants

TEST(SyslogParserTest, HeaderWithoutHostname) {
  Parsed p = Parse("<38>Nov 26 22:50:36 sshd[77]: Invalid user  from 1.2.3.4");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_FALSE(p.Get("host.name").has_value());
  EXPECT_EQ(p.Get("process.name").value_or("?"), "sshd");
  EXPECT_EQ(p.Get("process.pid").value_or("?"), "77");
  EXPECT_EQ(p.Get("event.action").value_or("?"), "invalid_user");
  EXPECT_FALSE(p.Get("user.name").has_value());  // empty user name is not a field
  EXPECT_EQ(p.Get("source.ip").value_or("?"), "1.2.3.4");
}

TEST(SyslogParserTest, DayPaddingAndFraction) {
  int64_t dec1 = 1796108146 * kSec;  // 2026-12-01T06:55:46Z
  for (std::string_view line :
       {"Dec  1 06:55:46 h p: m", "Dec 01 06:55:46 h p: m", "Dec 1 06:55:46 h p: m"}) {
    Parsed p = Parse(line);
    ASSERT_TRUE(p.status.ok()) << line << ": " << p.status.ToString();
    EXPECT_EQ(p.event().timestamp_ns, dec1) << line;
    EXPECT_EQ(p.Get("host.name").value_or("?"), "h") << line;
    EXPECT_EQ(p.Get("message").value_or("?"), "m") << line;
  }
  Parsed frac = Parse("Dec  1 06:55:46.250 h p: m");
  ASSERT_TRUE(frac.status.ok()) << frac.status.ToString();
  EXPECT_EQ(frac.event().timestamp_ns, dec1 + 250'000'000);
}

TEST(SyslogParserTest, YearlessTimeBeforeNewYearBelongsToPreviousYear) {
  // Received 2026-01-01T00:00:30Z; the line is from the last second of 2025.
  Parsed p = Parse("Dec 31 23:59:59 h kernel: x", 1767225630 * kSec);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().timestamp_ns, 1767225599 * kSec);
}

TEST(SyslogParserTest, IsoTimestampInRfc3164Position) {
  // rsyslog RSYSLOG_FileFormat (high-precision timestamps).
  Parsed p = Parse(
      "2026-11-20T01:02:03.123456+09:00 web1 sshd[5]: Failed publickey for git from "
      "2001:db8::7 port 4022 ssh2");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().timestamp_ns, 1795104123 * kSec + 123'456'000);
  EXPECT_EQ(FieldList(p.batch),
            Sorted({"host.name=web1", "process.name=sshd", "process.pid=5",
                    "message=Failed publickey for git from 2001:db8::7 port 4022 ssh2",
                    "event.category=authentication", "event.action=ssh_login",
                    "event.outcome=failure", "system.auth.ssh.method=publickey", "user.name=git",
                    "source.ip=2001:db8::7", "source.port=4022"}));
}

TEST(SyslogParserTest, LineWithoutTag) {
  Parsed p = Parse("Dec 10 06:55:46 LabSZ -- MARK --");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.event().dataset, "linux.syslog");
  EXPECT_EQ(FieldList(p.batch), Sorted({"host.name=LabSZ", "message=-- MARK --"}));
}

TEST(SyslogParserTest, EmptyMessageAfterTag) {
  Parsed p = Parse("Dec 10 06:55:46 LabSZ sshd[1]:");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(FieldList(p.batch), Sorted({"host.name=LabSZ", "process.name=sshd", "process.pid=1"}));
}

// ---------------------------------------------------------------------------------------
// sshd extractors on crafted lines (IPv6, newer OpenSSH wording, hostile user names)

struct ExtractCase {
  std::string_view message;  // after "Dec 10 06:55:46 host <tag>: "
  std::string_view tag;
  std::vector<std::string> extracted;
};

void CheckExtractions(const std::vector<ExtractCase>& cases) {
  for (const ExtractCase& c : cases) {
    std::string line = "Dec 10 06:55:46 host " + std::string(c.tag) + ": " + std::string(c.message);
    SCOPED_TRACE(line);
    Parsed p = Parse(line);
    ASSERT_TRUE(p.status.ok()) << p.status.ToString();
    EXPECT_EQ(p.event().dataset, "linux.auth");
    // Everything except the header fields and the message comes from the extractor.
    std::vector<std::string> got;
    for (const std::string& f : FieldList(p.batch)) {
      if (!StartsWith(f, "host.name=") && !StartsWith(f, "process.name=") &&
          !StartsWith(f, "process.pid=") && !StartsWith(f, "message=")) {
        got.push_back(f);
      }
    }
    EXPECT_EQ(got, Sorted(c.extracted));
  }
}

TEST(SyslogParserTest, SshdExtractors) {
  CheckExtractions({
      {"Accepted publickey for bob from 2001:db8::1 port 22 ssh2: RSA SHA256:x",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=success",
        "system.auth.ssh.method=publickey", "user.name=bob", "source.ip=2001:db8::1",
        "source.port=22"}},
      {"Accepted keyboard-interactive/pam for carol from ::ffff:10.0.0.9 port 1 ssh2",
       "sshd-session[1]",
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=success",
        "system.auth.ssh.method=keyboard-interactive/pam", "user.name=carol",
        "source.ip=::ffff:10.0.0.9", "source.port=1"}},
      // An attacker-chosen user name with spaces and a fake " from ": the last one wins.
      {"Failed password for invalid user a from 6.6.6.6 port 1 from 10.9.8.7 port 2222 ssh2",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=failure",
        "system.auth.ssh.method=password", "user.name=a from 6.6.6.6 port 1", "source.ip=10.9.8.7",
        "source.port=2222"}},
      {"Failed password for invalid user  from 10.0.0.1 port 5 ssh2",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=failure",
        "system.auth.ssh.method=password", "source.ip=10.0.0.1", "source.port=5"}},
      // UseDNS yes: a host name where the address would be.
      {"Failed password for root from host.example.net port 5 ssh2",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_login", "event.outcome=failure",
        "system.auth.ssh.method=password", "user.name=root", "source.domain=host.example.net",
        "source.port=5"}},
      {"Invalid user admin from 2001:db8::2 port 40000",
       "sshd[1]",
       {"event.category=authentication", "event.action=invalid_user", "event.outcome=failure",
        "user.name=admin", "source.ip=2001:db8::2", "source.port=40000"}},
      {"Invalid user guest",
       "sshd[1]",
       {"event.category=authentication", "event.action=invalid_user", "event.outcome=failure",
        "user.name=guest"}},
      {"input_userauth_request: invalid user  [preauth]",
       "sshd[1]",
       {"event.category=authentication", "event.action=invalid_user", "event.outcome=failure"}},
      {"error: maximum authentication attempts exceeded for invalid user oracle from 10.0.0.3 "
       "port 5555 ssh2 [preauth]",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_max_attempts", "event.outcome=failure",
        "user.name=oracle", "source.ip=10.0.0.3", "source.port=5555"}},
      {"error: maximum authentication attempts exceeded for root from 2001:db8::3 port 5 ssh2 "
       "[preauth]",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_max_attempts", "event.outcome=failure",
        "user.name=root", "source.ip=2001:db8::3", "source.port=5"}},
      {"Disconnecting authenticating user root 10.0.0.4 port 6: Too many authentication "
       "failures [preauth]",
       "sshd[1]",
       {"event.category=authentication", "event.action=ssh_max_attempts", "event.outcome=failure",
        "user.name=root", "source.ip=10.0.0.4", "source.port=6"}},
      {"Connection closed by authenticating user root 10.0.0.5 port 7 [preauth]",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "user.name=root", "source.ip=10.0.0.5", "source.port=7"}},
      {"Connection closed by invalid user x y 2001:db8::5 port 8 [preauth]",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "user.name=x y", "source.ip=2001:db8::5", "source.port=8"}},
      {"Connection closed by 10.0.0.6 port 9",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=10.0.0.6", "source.port=9"}},
      {"Disconnected from user alice 10.0.0.7 port 10",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "user.name=alice", "source.ip=10.0.0.7", "source.port=10"}},
      {"Disconnected from 2001:db8::8 port 11 [preauth]",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=2001:db8::8", "source.port=11"}},
      {"Received disconnect from 10.0.0.9 port 12:11: disconnected by user",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=10.0.0.9", "source.port=12"}},
      {"Received disconnect from 2001:db8::9 port 13:11: Bye Bye [preauth]",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=2001:db8::9", "source.port=13"}},
      {"Received disconnect from 2001:db8::a: 11: Bye Bye [preauth]",
       "sshd[1]",
       {"event.category=session", "event.action=ssh_disconnect", "event.outcome=unknown",
        "source.ip=2001:db8::a"}},
      {"Address 10.0.0.10 maps to evil.example.com, but this does not map back to the address "
       "- POSSIBLE BREAK-IN ATTEMPT!",
       "sshd[1]",
       {"event.category=intrusion_detection", "event.action=ssh_break_in_attempt",
        "source.ip=10.0.0.10", "source.domain=evil.example.com"}},
      {"reverse mapping checking getaddrinfo for x.example [2001:db8::b] failed - POSSIBLE "
       "BREAK-IN ATTEMPT!",
       "sshd[1]",
       {"event.category=intrusion_detection", "event.action=ssh_break_in_attempt",
        "source.ip=2001:db8::b", "source.domain=x.example"}},
      {"Did not receive identification string from 2001:db8::c port 14",
       "sshd[1]",
       {"event.category=network", "event.action=ssh_no_identification", "source.ip=2001:db8::c",
        "source.port=14"}},
      // Unrecognised sshd messages are kept as message only.
      {"Server listening on 0.0.0.0 port 22.", "sshd[1]", {}},
      {"Accepted", "sshd[1]", {}},
      {"Failed password", "sshd[1]", {}},
  });
}

TEST(SyslogParserTest, PamExtractors) {
  CheckExtractions({
      {"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=2001:db8::d  user=admin",
       "sshd[1]",
       {"event.category=authentication", "event.action=pam_auth_failure", "event.outcome=failure",
        "source.ip=2001:db8::d", "user.name=admin"}},
      // Old tag form: the module is in the tag, the message is the PAM body.
      {"authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=10.0.0.11  "
       "user=root",
       "sshd(pam_unix)[4242]",
       {"event.category=authentication", "event.action=pam_auth_failure", "event.outcome=failure",
        "source.ip=10.0.0.11", "user.name=root"}},
      {"check pass; user unknown",
       "sshd(pam_unix)[4242]",
       {"event.category=authentication", "event.action=pam_user_unknown", "event.outcome=failure"}},
      {"session opened for user bob by (uid=0)",
       "sshd(pam_unix)[4242]",
       {"event.category=session", "event.action=session_opened", "event.outcome=success",
        "user.name=bob"}},
      {"pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
       "sudo",
       {"event.category=session", "event.action=session_opened", "event.outcome=success",
        "user.name=root"}},
      {"pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 "
       "ruser=alice rhost=  user=alice",
       "sudo",
       {"event.category=authentication", "event.action=pam_auth_failure", "event.outcome=failure",
        "user.name=alice"}},
      {"pam_unix(su:auth): authentication failure; logname=bob uid=1001 euid=0 tty=pts/1 "
       "ruser=bob rhost=  user=root",
       "su[9]",
       {"event.category=authentication", "event.action=pam_auth_failure", "event.outcome=failure",
        "user.name=root"}},
      // cron is not an auth program, but a PAM session is an auth event.
      {"pam_unix(cron:session): session closed for user root",
       "CRON[7]",
       {"event.category=session", "event.action=session_closed", "event.outcome=success",
        "user.name=root"}},
  });
}

TEST(SyslogParserTest, SudoExtractors) {
  CheckExtractions({
      {"    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh -c 'a ; b'",
       "sudo",
       {"event.category=process", "event.action=sudo_command", "event.outcome=success",
        "user.name=alice", "user.target.name=root", "process.working_directory=/home/alice",
        "process.command_line=/bin/sh -c 'a ; b'"}},
      {"alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
       "COMMAND=/usr/bin/id",
       "sudo",
       {"event.category=authentication", "event.action=sudo_auth_failure", "event.outcome=failure",
        "user.name=alice", "user.target.name=root", "process.working_directory=/home/alice",
        "process.command_line=/usr/bin/id"}},
      {"mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
       "sudo",
       {"event.category=process", "event.action=sudo_denied", "event.outcome=failure",
        "user.name=mallory", "user.target.name=root", "process.working_directory=/tmp",
        "process.command_line=/bin/bash"}},
      {"unrelated text", "sudo", {}},
  });
}

TEST(SyslogParserTest, SuExtractors) {
  CheckExtractions({
      {"Successful su for root by alice",
       "su[9]",
       {"event.category=authentication", "event.action=su", "event.outcome=success",
        "user.name=alice", "user.target.name=root"}},
      {"FAILED su for root by bob",
       "su[9]",
       {"event.category=authentication", "event.action=su", "event.outcome=failure",
        "user.name=bob", "user.target.name=root"}},
      {"(to root) carol on pts/3",
       "su[9]",
       {"event.category=authentication", "event.action=su", "event.outcome=success",
        "user.name=carol", "user.target.name=root"}},
      {"FAILED SU (to root) carol on pts/3",
       "su[9]",
       {"event.category=authentication", "event.action=su", "event.outcome=failure",
        "user.name=carol", "user.target.name=root"}},
      {"+ pts/4 dave:root",
       "su[9]",
       {"event.category=authentication", "event.action=su", "event.outcome=success",
        "user.name=dave", "user.target.name=root"}},
      {"- pts/4 erin:root",
       "su[9]",
       {"event.category=authentication", "event.action=su", "event.outcome=failure",
        "user.name=erin", "user.target.name=root"}},
  });
}

TEST(SyslogParserTest, DatasetRule) {
  struct Case {
    std::string_view line;
    std::string_view dataset;
  };
  for (const Case& c : std::vector<Case>{
           {"Dec 10 06:55:46 h CRON[1]: (root) CMD (run-parts /etc/cron.hourly)", "linux.syslog"},
           {"Dec 10 06:55:46 h kernel: [1.0] eth0: link up", "linux.syslog"},
           {"<38>Dec 10 06:55:46 h myapp: anything", "linux.auth"},        // facility auth
           {"<86>Dec 10 06:55:46 h myapp: anything", "linux.auth"},        // facility authpriv
           {"<30>Dec 10 06:55:46 h myapp: anything", "linux.syslog"},      // facility daemon
           {"Dec 10 06:55:46 h login[3]: anything", "linux.auth"},         // program login
           {"Dec 10 06:55:46 h sshd[3]: Server listening", "linux.auth"},  // program sshd
       }) {
    Parsed p = Parse(c.line);
    ASSERT_TRUE(p.status.ok()) << c.line << ": " << p.status.ToString();
    EXPECT_EQ(p.event().dataset, c.dataset) << c.line;
  }
}

// ---------------------------------------------------------------------------------------
// Malformed input: exact error text, nothing appended, batch left intact.

// Issue 13, defect 5: the same invalid times that the Body Log and Windows parsers re-dated
// silently were dead-lettered here. Every parser now keeps the record, times it at the
// receive time and flags it with the original text in event.time_invalid.
TEST(SyslogParserTest, Issue13InvalidTimeIsFlaggedNotDeadLettered) {
  struct Case {
    std::string_view line;
    std::string_view flagged;
  };
  const std::vector<Case> cases = {
      {"9999-12-31 web1 sshd[5]: x", "9999-12-31"},
      {"2025-13-45T99:99:99Z web1 sshd[5]: x", "2025-13-45T99:99:99Z"},
      {"2026-11-20T01:02:03+99:00 web1 sshd[5]: x", "2026-11-20T01:02:03+99:00"},
      // Outside the int64 nanosecond range (found by the fuzzer), and outside 1970..2200.
      {"4531-11-20T01:02:03+09:00 web1 sshd[5]: x", "4531-11-20T01:02:03+09:00"},
      {"1969-12-31T23:59:59Z web1 sshd[5]: x", "1969-12-31T23:59:59Z"},
      {"<13>1 9999-12-31T00:00:00Z web1 sshd 5 - - x", "9999-12-31T00:00:00Z"},
      {"<13>1 0001-01-01T00:00:00Z web1 sshd 5 - - x", "0001-01-01T00:00:00Z"},
      {"<13>1 yesterday web1 sshd 5 - - x", "yesterday"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    Parsed p = Parse(c.line);
    ASSERT_TRUE(p.status.ok()) << p.status.ToString();
    EXPECT_EQ(p.event().timestamp_ns, kReference);
    EXPECT_EQ(p.Get("event.time_invalid"), c.flagged);
    EXPECT_EQ(p.Get("host.name"), "web1");
    EXPECT_EQ(p.Get("process.name"), "sshd");
    EXPECT_EQ(p.Get("message"), "x");
  }
  // Valid and nil times carry no flag.
  EXPECT_EQ(Parse("2026-11-20T01:02:03Z web1 sshd[5]: x").Get("event.time_invalid"), std::nullopt);
  EXPECT_EQ(Parse("<13>1 - web1 sshd 5 - - x").Get("event.time_invalid"), std::nullopt);
}

TEST(SyslogParserTest, MalformedRecords) {
  struct Case {
    std::string_view line;
    std::string_view error;
  };
  const std::vector<Case> cases = {
      {"", "syslog: empty record"},
      {"\r\n", "syslog: empty record"},
      {"hello world", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"Foo 10 06:55:46 h p: m", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"Dec 10 25:55:46 h p: m", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"Dec 32 06:55:46 h p: m", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"20261 h p: m", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"Dec 10 06:55:46", "syslog: nothing after timestamp"},
      {"Dec 10 06:55:46   ", "syslog: nothing after timestamp"},
      {"Dec 10 06:55:46x h p: m", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"2026-11-20T01:02:03Z", "syslog: nothing after timestamp"},
      {"<13>", "syslog: missing timestamp"},
      {"<13", "syslog: invalid <PRI>"},
      {"<>Dec 10 06:55:46 h p: m", "syslog: invalid <PRI>"},
      {"<192>Dec 10 06:55:46 h p: m", "syslog: invalid <PRI>"},
      {"<1234>Dec 10 06:55:46 h p: m", "syslog: invalid <PRI>"},
      {"<13>sshd: no timestamp", "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)"},
      {"<13>1 2026-01-02T03:04:05Z host app", "syslog: truncated RFC 5424 header"},
      {"<13>1 2026-01-02T03:04:05Z host app - -", "syslog: truncated RFC 5424 header"},
      {"<13>1 2026-01-02T03:04:05Z  app - - - m", "syslog: truncated RFC 5424 header"},
      {"<13>1 2026-01-02T03:04:05Z host app - - msg", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - -msg", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - [id a=\"1\"", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - [id a=\"1]", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - [id a=1]", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - []", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - [id =\"1\"]", "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - [id a=\"1\"]x",
       "syslog: malformed structured data"},
      {"<13>1 2026-01-02T03:04:05Z host app - - [idwaytoolongforanrfc5424sdidentifier x=\"1\"]",
       "syslog: malformed structured data"},
  };
  ParseContext ctx;
  ctx.reference_time_ns = kReference;
  std::unique_ptr<Parser> parser = internal::MakeSyslogParser();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    EventBatch batch;
    ASSERT_TRUE(
        parser->Parse("Dec 10 06:55:46 h sshd[1]: Invalid user x from 1.2.3.4", ctx, batch).ok());
    size_t fields_before = batch.fields(batch[0]).size();
    Status st = parser->Parse(c.line, ctx, batch);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(st.message(), c.error);
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.fields(batch[0]).size(), fields_before);
    // The next record's fields start right after the first record's: nothing leaked.
    ASSERT_TRUE(parser->Parse("<13>1 - h app - - [a b=\"c\"] m", ctx, batch).ok());
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[1].field_begin, batch[0].field_end);
    EXPECT_EQ(batch.Find(batch[1], *FieldDict::Find("syslog.sd.a.b")).value_or("?"), "c");
  }
}

TEST(SyslogParserTest, ManyRecordsShareOneBatch) {
  std::unique_ptr<Parser> parser = internal::MakeSyslogParser();
  ParseContext ctx;
  ctx.reference_time_ns = kReference;
  EventBatch batch;
  for (int i = 0; i < 1000; ++i) {
    std::string line = "Dec 10 06:55:46 h sshd[" + std::to_string(i) + "]: Failed password for u" +
                       std::to_string(i) + " from 10.0.0." + std::to_string(i % 250) + " port " +
                       std::to_string(1000 + i) + " ssh2";
    ASSERT_TRUE(parser->Parse(line, ctx, batch).ok());
  }
  ASSERT_EQ(batch.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    const Event& e = batch[i];
    EXPECT_EQ(batch.Find(e, field::kProcessPid).value_or("?"), std::to_string(i));
    EXPECT_EQ(batch.Find(e, field::kUserName).value_or("?"), "u" + std::to_string(i));
    EXPECT_EQ(batch.Find(e, field::kSourcePort).value_or("?"), std::to_string(1000 + i));
  }
}

TEST(SyslogParserTest, StructuredDataNameCapUsesOverflowField) {
  std::unique_ptr<Parser> parser = internal::MakeSyslogParser();
  ParseContext ctx;
  EventBatch batch;
  // 1100 distinct param names from one sender: the first 1024 become fields of their own.
  for (int i = 0; i < 1100; ++i) {
    std::string line =
        "<13>1 - h app - - [capTest p" + std::to_string(i) + "=\"v" + std::to_string(i) + "\"]";
    ASSERT_TRUE(parser->Parse(line, ctx, batch).ok()) << line;
  }
  EXPECT_EQ(batch.Find(batch[0], *FieldDict::Find("syslog.sd.capTest.p0")).value_or("?"), "v0");
  EXPECT_EQ(batch.Find(batch[1023], *FieldDict::Find("syslog.sd.capTest.p1023")).value_or("?"),
            "v1023");
  EXPECT_FALSE(FieldDict::Find("syslog.sd.capTest.p1099").has_value());
  EXPECT_EQ(batch.Find(batch[1099], *FieldDict::Find("syslog.sd._overflow")).value_or("?"),
            "capTest.p1099=v1099");
  // A name seen before the cap keeps working after it.
  ASSERT_TRUE(parser->Parse("<13>1 - h app - - [capTest p5=\"again\"]", ctx, batch).ok());
  EXPECT_EQ(batch.Find(batch[1100], *FieldDict::Find("syslog.sd.capTest.p5")).value_or("?"),
            "again");
}

TEST(SyslogParserTest, LooksLikeSyslog) {
  EXPECT_TRUE(internal::LooksLikeSyslog(
      "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186"));
  EXPECT_TRUE(internal::LooksLikeSyslog("<85>Nov 26 22:50:36 vm sshd: hello"));
  EXPECT_TRUE(internal::LooksLikeSyslog("<13>1 - vm app - - - x"));
  EXPECT_TRUE(internal::LooksLikeSyslog("2026-11-20T01:02:03Z web1 sshd[5]: hi"));
  EXPECT_TRUE(internal::LooksLikeSyslog("Dec 10 06:55:46 LabSZ -- MARK --\r"));
  // A leading ISO time without a syslog tag is just some application log.
  EXPECT_FALSE(internal::LooksLikeSyslog("2026-11-20T01:02:03Z INFO starting server"));
  EXPECT_FALSE(internal::LooksLikeSyslog(
      "203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 2"));
  EXPECT_FALSE(internal::LooksLikeSyslog("{\"a\":1}"));
  EXPECT_FALSE(internal::LooksLikeSyslog(""));
  EXPECT_FALSE(internal::LooksLikeSyslog("<13>1 yesterday host app - - - m"));
}

// ---------------------------------------------------------------------------------------
// The whole loghub OpenSSH sample, checked line by line against loghub's own template
// labels (OpenSSH_2k.log_structured.csv), which were produced independently of Rampart.

std::string CorpusPath(std::string_view file) {
  return std::string(RAMPART_SOURCE_DIR "/../shared/corpora/loghub/OpenSSH/") + std::string(file);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string_view> SplitCsv(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string_view::npos) {
      return out;
    }
    start = comma + 1;
  }
}

// loghub template id → the event.action the parser must give ("" = none).
std::string ExpectedAction(std::string_view event_id) {
  static const std::map<std::string, std::string, std::less<>> kByTemplate = {
      {"E1", "ssh_login"},
      {"E2", "ssh_disconnect"},
      {"E3", "ssh_no_identification"},
      {"E4", "ssh_max_attempts"},
      {"E5", "ssh_max_attempts"},
      {"E6", "ssh_auth_refused_disconnect"},  // the client's "Auth fail": a failed login
      {"E7", "ssh_disconnect"},
      {"E8", "ssh_login"},
      {"E9", "ssh_login"},
      {"E10", "ssh_login"},
      {"E11", ""},
      {"E12", "invalid_user"},
      {"E13", "invalid_user"},
      {"E14", ""},
      {"E15", "pam_more_failures"},
      {"E16", "pam_more_failures"},
      {"E17", "pam_more_failures"},
      {"E18", ""},
      {"E19", "pam_auth_failure"},
      {"E20", "pam_auth_failure"},
      {"E21", "pam_user_unknown"},
      {"E22", "session_closed"},
      {"E23", "session_opened"},
      {"E24", "ssh_disconnect"},
      {"E25", "ssh_disconnect"},
      {"E26", "ssh_disconnect"},
      {"E27", "ssh_break_in_attempt"},
  };
  auto it = kByTemplate.find(event_id);
  return it == kByTemplate.end() ? "?" + std::string(event_id) : it->second;
}

TEST(SyslogParserCorpusTest, WholeOpenSshSampleMatchesLoghubLabels) {
  std::vector<std::string> lines = ReadLines(CorpusPath("OpenSSH_2k.log"));
  std::vector<std::string> rows = ReadLines(CorpusPath("OpenSSH_2k.log_structured.csv"));
  if (lines.empty() || rows.empty()) {
    GTEST_SKIP() << "loghub OpenSSH corpus not found under " << CorpusPath("")
                 << " (../shared/corpora is optional)";
  }
  ASSERT_EQ(rows.size(), lines.size() + 1);  // + CSV header

  std::unique_ptr<Parser> parser = internal::MakeSyslogParser();
  ParseContext ctx;
  ctx.reference_time_ns = kReference;
  EventBatch batch;
  std::map<std::string, int> want_counts;
  std::map<std::string, int> got_counts;
  int failures = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    Status st = parser->Parse(lines[i], ctx, batch);
    if (!st.ok()) {
      ++failures;
      ADD_FAILURE() << st.ToString();
      continue;
    }
    const Event& e = batch[batch.size() - 1];
    // LineId,Date,Day,Time,Component,Pid,Content,EventId,EventTemplate
    std::vector<std::string_view> row = SplitCsv(rows[i + 1]);
    ASSERT_EQ(row.size(), 9u);
    EXPECT_EQ(batch.Find(e, field::kHostName).value_or("?"), row[4]);
    EXPECT_EQ(batch.Find(e, field::kProcessPid).value_or("?"), row[5]);
    EXPECT_EQ(batch.Find(e, field::kProcessName).value_or("?"), "sshd");
    // rsyslog's "message repeated N times: [ MSG]" is MSG with a repeat count.
    std::string_view content = row[6];
    const bool repeated = StartsWith(content, "message repeated ");
    if (repeated) {
      content = content.substr(content.find('[') + 1);
      content = Trim(content.substr(0, content.rfind(']')));
      EXPECT_TRUE(batch.Find(e, FieldDict::Intern("event.repeat_count")).has_value());
    }
    EXPECT_EQ(Trim(batch.Find(e, field::kMessage).value_or("?")), Trim(content));
    int day = std::stoi(std::string(row[2]));
    int h = std::stoi(std::string(row[3].substr(0, 2)));
    int m = std::stoi(std::string(row[3].substr(3, 2)));
    int s = std::stoi(std::string(row[3].substr(6, 2)));
    EXPECT_EQ(row[1], "Dec");
    EXPECT_EQ(e.timestamp_ns, Dec10(h, m, s) + int64_t{day - 10} * 86400 * kSec);
    EXPECT_EQ(e.dataset, "linux.auth");

    // A repeated message is classified as the message it repeats (a failed password here).
    std::string want = repeated ? std::string("ssh_login") : ExpectedAction(row[7]);
    std::string got(batch.Find(e, field::kEventAction).value_or(""));
    EXPECT_EQ(got, want) << "template " << row[7];
    ++want_counts[want];
    ++got_counts[got];
    // Every address or port the parser extracted is literally in the message.
    for (FieldId id : {field::kSourceIp, field::kSourcePort, field::kUserName}) {
      if (auto v = batch.Find(e, id)) {
        EXPECT_NE(row[6].find(*v), std::string_view::npos) << FieldDict::Name(id) << "=" << *v;
      }
    }
    if (want == "ssh_login" || (want == "invalid_user" && row[7] == "E13")) {
      EXPECT_TRUE(batch.Find(e, field::kSourceIp).has_value());
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(batch.size(), lines.size());
  EXPECT_EQ(got_counts, want_counts);
  // Spot checks of the totals, counted from the loghub labels by hand.
  // + 2 "message repeated 5 times: [ Failed password ...]" lines.
  EXPECT_EQ(got_counts["ssh_login"], 1 + 4 + 383 + 135 + 2);
  EXPECT_EQ(got_counts["ssh_disconnect"], 34 + 45 + 413 + 7 + 1);
  EXPECT_EQ(got_counts["ssh_auth_refused_disconnect"], 2);
  EXPECT_EQ(got_counts["ssh_break_in_attempt"], 85);
  EXPECT_EQ(got_counts["pam_auth_failure"], 110 + 384);
}

}  // namespace
}  // namespace rampart::parse
