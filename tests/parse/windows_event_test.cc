#include <cctype>
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

// Real records from EVTX-ATTACK-SAMPLES (sbousseaden, via ../shared/corpora/windows).
constexpr std::string_view kSysmonProcessCreate =
    R"({"Provider_Name": "Microsoft-Windows-Sysmon", "Provider_Guid": "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", "EventID": 1, "Version": 5, "Level": 4, "Task": 1, "Opcode": 0, "Keywords": "0x8000000000000000", "TimeCreated": "2019-04-03T18:11:54.098352Z", "EventRecordID": 7194, "Execution_ProcessID": 1828, "Execution_ThreadID": 372, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "PC04.example.corp", "Security_UserID": "S-1-5-18", "RuleName": "", "UtcTime": "2019-04-03 18:11:54.058", "ProcessGuid": "{365ABB72-F76A-5CA4-0000-0010FA0D1700}", "ProcessId": "3328", "Image": "C:\\Users\\user01\\Desktop\\WMIGhost.exe", "FileVersion": "?", "Description": "?", "Product": "?", "Company": "?", "CommandLine": "\"C:\\Users\\user01\\Desktop\\WMIGhost.exe\" ", "CurrentDirectory": "C:\\Users\\user01\\Desktop\\", "User": "PC04\\IEUser", "LogonGuid": "{365ABB72-F44E-5CA4-0000-00202BAF0A00}", "LogonId": "0xaaf2b", "TerminalSessionId": "2", "IntegrityLevel": "High", "Hashes": "MD5=0DF40B226A4913A57668B83B7C7B443C,IMPHASH=8812FF21AEB160E8800257140ACAE54B", "ParentProcessGuid": "{365ABB72-F456-5CA4-0000-001095090B00}", "ParentProcessId": "3032", "ParentImage": "C:\\Windows\\explorer.exe", "ParentCommandLine": "C:\\Windows\\Explorer.EXE", "_source_file": "Persistence/wmighost_sysmon_20_21_1.evtx"})";

constexpr std::string_view kSecurityNetworkLogon =
    R"({"Provider_Name": "Microsoft-Windows-Security-Auditing", "Provider_Guid": "{54849625-5478-4994-A5BA-3E3B0328C30D}", "EventID": 4624, "Version": 0, "Level": 0, "Task": 12544, "Opcode": 0, "Keywords": "0x8020000000000000", "TimeCreated": "2019-02-13T15:31:19.529518Z", "EventRecordID": 5322, "Execution_ProcessID": 480, "Execution_ThreadID": 3952, "Channel": "Security", "Computer": "PC02.example.corp", "SubjectUserSid": "S-1-0-0", "SubjectUserName": "-", "SubjectDomainName": "-", "SubjectLogonId": "0x0", "TargetUserSid": "S-1-5-7", "TargetUserName": "ANONYMOUS LOGON", "TargetDomainName": "NT AUTHORITY", "TargetLogonId": "0x73d02", "LogonType": "3", "LogonProcessName": "NtLmSsp ", "AuthenticationPackageName": "NTLM", "WorkstationName": "PC01", "LogonGuid": "{00000000-0000-0000-0000-000000000000}", "TransmittedServices": "-", "LmPackageName": "NTLM V1", "KeyLength": "128", "ProcessId": "0x0", "ProcessName": "-", "IpAddress": "10.0.2.17", "IpPort": "49168", "_source_file": "Command and Control/DE_RDP_Tunneling_4624.evtx"})";

constexpr std::string_view kSecurityProcessCreate =
    R"({"Provider_Name": "Microsoft-Windows-Security-Auditing", "Provider_Guid": "{54849625-5478-4994-A5BA-3E3B0328C30D}", "EventID": 4688, "Version": 1, "Level": 0, "Task": 13312, "Opcode": 0, "Keywords": "0x8020000000000000", "TimeCreated": "2019-02-13T18:03:35.704839Z", "EventRecordID": 227721, "Execution_ProcessID": 4, "Execution_ThreadID": 56, "Channel": "Security", "Computer": "PC01.example.corp", "SubjectUserSid": "S-1-5-18", "SubjectUserName": "PC01$", "SubjectDomainName": "EXAMPLE", "SubjectLogonId": "0x3e7", "NewProcessId": "0xa38", "NewProcessName": "C:\\Windows\\System32\\slui.exe", "TokenElevationType": "%%1936", "ProcessId": "0x278", "CommandLine": "", "_source_file": "Command and Control/DE_RDP_Tunnel_5156.evtx"})";

constexpr std::string_view kSysmonNetwork =
    R"({"Provider_Name": "Microsoft-Windows-Sysmon", "Provider_Guid": "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", "EventID": 3, "Version": 5, "Level": 4, "Task": 3, "Opcode": 0, "Keywords": "0x8000000000000000", "TimeCreated": "2019-04-30T20:26:53.152964Z", "EventRecordID": 9811, "Execution_ProcessID": 1964, "Execution_ThreadID": 1568, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "IEWIN7", "Security_UserID": "S-1-5-18", "RuleName": "", "UtcTime": "2019-04-30 20:26:51.599", "ProcessGuid": "{365ABB72-2584-5CC9-0000-0010EA030000}", "ProcessId": "4", "Image": "System", "User": "NT AUTHORITY\\SYSTEM", "Protocol": "tcp", "Initiated": "false", "SourceIsIpv6": "false", "SourceIp": "10.0.2.18", "SourceHostname": "IEWIN7", "SourcePort": "445", "SourcePortName": "microsoft-ds", "DestinationIsIpv6": "false", "DestinationIp": "10.0.2.19", "DestinationHostname": "", "DestinationPort": "33801", "DestinationPortName": "", "_source_file": "Lateral Movement/LM_sysmon_psexec_smb_meterpreter.evtx"})";

constexpr std::string_view kEtwRpc =
    R"({"Provider_Name": "Microsoft-Windows-RPC", "Provider_Guid": "{6ad52b32-d609-4be9-ae07-ce8dae937e39}", "EventID": 6, "Version": 1, "Level": 4, "Task": 2, "Opcode": 1, "Keywords": "0x4000000000000000", "TimeCreated": "2020-09-18T14:02:46.652156Z", "EventRecordID": 1999, "Execution_ProcessID": 812, "Execution_ThreadID": 2928, "Execution_ProcessorID": 1, "Execution_KernelTime": 7, "Execution_UserTime": 11, "Channel": "", "Computer": "LAPTOP-JU4M3I0E", "InterfaceUuid": "{E1AF8308-5D1F-11C9-91A4-08002B14A0FA}", "ProcNum": "3", "Protocol": "1", "NetworkAddress": "NULL", "Endpoint": "135", "Options": "NULL", "AuthenticationLevel": "1", "AuthenticationService": "0", "ImpersonationLevel": "0", "_source_file": "Credential Access/etw_rpc_zerologon.evtx"})";

class WindowsEventTest : public ::testing::Test {
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
  size_t Count(std::string_view name) const {
    const FieldId id = FieldDict::Intern(name);
    size_t n = 0;
    for (const Field& f : batch_.fields(Last())) {
      n += f.id == id ? 1 : 0;
    }
    return n;
  }
  size_t FieldCount() const { return batch_.fields(Last()).size(); }

  std::unique_ptr<Parser> parser_ = internal::MakeWindowsEventParser();
  EventBatch batch_;
};

TEST_F(WindowsEventTest, SysmonProcessCreateGolden) {
  ASSERT_TRUE(Parse(kSysmonProcessCreate).ok());
  ASSERT_EQ(batch_.size(), 1u);
  const Event& e = Last();
  EXPECT_EQ(e.dataset, "windows.sysmon");
  EXPECT_EQ(e.tenant, "acme");
  EXPECT_EQ(e.raw, kSysmonProcessCreate);
  EXPECT_NE(e.raw.data(), kSysmonProcessCreate.data());
  EXPECT_EQ(e.timestamp_ns, 1554315114098352000);

  // Every key under its own name (numbers as written).
  EXPECT_EQ(Get(field::kWinEventId), "1");
  EXPECT_EQ(Get(field::kWinChannel), "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(Get(field::kWinProviderName), "Microsoft-Windows-Sysmon");
  EXPECT_EQ(Get(field::kWinComputer), "PC04.example.corp");
  EXPECT_EQ(Get("Version"), "5");
  EXPECT_EQ(Get("Keywords"), "0x8000000000000000");
  EXPECT_EQ(Get("Image"), "C:\\Users\\user01\\Desktop\\WMIGhost.exe");
  EXPECT_EQ(Get("CommandLine"), "\"C:\\Users\\user01\\Desktop\\WMIGhost.exe\" ");
  EXPECT_EQ(Get("ParentImage"), "C:\\Windows\\explorer.exe");
  EXPECT_EQ(Get("ParentCommandLine"), "C:\\Windows\\Explorer.EXE");
  EXPECT_EQ(Get("Hashes"),
            "MD5=0DF40B226A4913A57668B83B7C7B443C,IMPHASH=8812FF21AEB160E8800257140ACAE54B");
  EXPECT_EQ(Get("RuleName"), "");  // kept: Sigma can test for empty values
  EXPECT_EQ(Get("_source_file"), "Persistence/wmighost_sysmon_20_21_1.evtx");

  // ECS.
  EXPECT_EQ(Get(field::kEventCode), "1");
  EXPECT_EQ(Get(field::kEventProvider), "Microsoft-Windows-Sysmon");
  EXPECT_EQ(Get(field::kHostName), "PC04.example.corp");
  EXPECT_EQ(Get(field::kProcessExecutable), "C:\\Users\\user01\\Desktop\\WMIGhost.exe");
  EXPECT_EQ(Get(field::kProcessCommandLine), "\"C:\\Users\\user01\\Desktop\\WMIGhost.exe\" ");
  EXPECT_EQ(Get(field::kProcessPid), "3328");
  EXPECT_EQ(Get(field::kUserName), "PC04\\IEUser");
  EXPECT_FALSE(Get(field::kSourceIp).has_value());
  EXPECT_FALSE(Get("_truncated_fields").has_value());

  // 37 source keys + event.code, event.provider, host.name, process.executable,
  // process.command_line, process.pid, user.name.
  EXPECT_EQ(FieldCount(), 37u + 7u);
  // Every value lives in the batch arena, not in the caller's buffer.
  const char* begin = kSysmonProcessCreate.data();
  const char* end = begin + kSysmonProcessCreate.size();
  for (const Field& f : batch_.fields(e)) {
    EXPECT_FALSE(f.value.data() >= begin && f.value.data() < end) << FieldDict::Name(f.id);
  }
}

TEST_F(WindowsEventTest, SecurityNetworkLogonGolden) {
  ASSERT_TRUE(Parse(kSecurityNetworkLogon).ok());
  const Event& e = Last();
  EXPECT_EQ(e.dataset, "windows.security");
  EXPECT_EQ(e.timestamp_ns, 1550071879529518000);
  EXPECT_EQ(Get(field::kWinEventId), "4624");
  EXPECT_EQ(Get(field::kEventCode), "4624");
  EXPECT_EQ(Get(field::kEventProvider), "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(Get(field::kHostName), "PC02.example.corp");
  // Logon events: the account logging on is TargetUserName.
  EXPECT_EQ(Get(field::kUserName), "ANONYMOUS LOGON");
  EXPECT_EQ(Get(field::kSourceIp), "10.0.2.17");
  EXPECT_EQ(Get(field::kSourcePort), "49168");
  EXPECT_EQ(Get(field::kProcessPid), "0");                   // "0x0"
  EXPECT_FALSE(Get(field::kProcessExecutable).has_value());  // ProcessName "-"
  EXPECT_EQ(Get("LogonType"), "3");
  EXPECT_EQ(Get("IpAddress"), "10.0.2.17");
  EXPECT_EQ(Get("LogonProcessName"), "NtLmSsp ");
}

TEST_F(WindowsEventTest, SecurityProcessCreateUsesNewProcessFields) {
  ASSERT_TRUE(Parse(kSecurityProcessCreate).ok());
  EXPECT_EQ(Last().dataset, "windows.security");
  EXPECT_EQ(Last().timestamp_ns, 1550081015704839000);
  EXPECT_EQ(Get(field::kProcessExecutable), "C:\\Windows\\System32\\slui.exe");
  EXPECT_EQ(Get(field::kProcessPid), "2616");  // 0xa38, not the creator's 0x278
  EXPECT_EQ(Get(field::kUserName), "PC01$");   // not a logon event: the subject
  EXPECT_FALSE(Get(field::kProcessCommandLine).has_value());
  EXPECT_EQ(Get("CommandLine"), "");
  EXPECT_EQ(Get("ProcessId"), "0x278");
}

TEST_F(WindowsEventTest, SysmonNetworkConnectionGolden) {
  ASSERT_TRUE(Parse(kSysmonNetwork).ok());
  EXPECT_EQ(Last().dataset, "windows.sysmon");
  EXPECT_EQ(Last().timestamp_ns, 1556656013152964000);
  EXPECT_EQ(Get(field::kSourceIp), "10.0.2.18");
  EXPECT_EQ(Get(field::kSourcePort), "445");
  EXPECT_EQ(Get(field::kDestinationIp), "10.0.2.19");
  EXPECT_EQ(Get(field::kDestinationPort), "33801");
  EXPECT_EQ(Get(field::kProcessExecutable), "System");
  EXPECT_EQ(Get(field::kProcessPid), "4");
  EXPECT_EQ(Get(field::kUserName), "NT AUTHORITY\\SYSTEM");
  EXPECT_EQ(Get("Initiated"), "false");
}

TEST_F(WindowsEventTest, EmptyChannelIsEtw) {
  ASSERT_TRUE(Parse(kEtwRpc).ok());
  EXPECT_EQ(Last().dataset, "windows.etw");
  EXPECT_EQ(Last().timestamp_ns, 1600437766652156000);
  EXPECT_EQ(Get(field::kWinChannel), "");
  EXPECT_EQ(Get(field::kEventProvider), "Microsoft-Windows-RPC");
  EXPECT_EQ(Get("Execution_KernelTime"), "7");
}

TEST_F(WindowsEventTest, DatasetByChannelAndProvider) {
  struct Case {
    std::string channel;
    std::string provider;
    std::string dataset;
  };
  const std::vector<Case> cases = {
      {"Security", "Microsoft-Windows-Security-Auditing", "windows.security"},
      {"security", "", "windows.security"},
      {"Microsoft-Windows-Sysmon/Operational", "", "windows.sysmon"},
      {"microsoft-windows-sysmon/operational", "", "windows.sysmon"},
      {"Other", "Microsoft-Windows-Sysmon", "windows.sysmon"},
      {"Windows PowerShell", "PowerShell", "windows.powershell"},
      {"Microsoft-Windows-PowerShell/Operational", "", "windows.powershell"},
      {"PowerShellCore/Operational", "", "windows.powershell"},
      {"System", "Service Control Manager", "windows.system"},
      {"Application", "MsiInstaller", "windows.application"},
      {"Microsoft-Windows-Bits-Client/Operational", "",
       "windows.microsoft_windows_bits_client_operational"},
      {"Microsoft-Windows-Windows Defender/Operational", "",
       "windows.microsoft_windows_windows_defender_operational"},
      {"  --Weird  Channel!! ", "", "windows.weird_channel"},
      {"***", "", "windows.etw"},
      {"", "", "windows.etw"},
      {"", "Microsoft-Windows-Security-Auditing", "windows.security"},
      {"", "Microsoft-Windows-PowerShell", "windows.powershell"},
  };
  for (const Case& c : cases) {
    std::string record = R"({"EventID": 1, "Channel": ")" + c.channel + "\"";
    if (!c.provider.empty()) {
      record += R"(, "Provider_Name": ")" + c.provider + "\"";
    }
    record += "}";
    ASSERT_TRUE(Parse(record).ok()) << record;
    EXPECT_EQ(Last().dataset, c.dataset) << record;
  }
}

TEST_F(WindowsEventTest, NxlogShapeGetsCanonicalNames) {
  // NXLog im_msvistalog / OTRF field names (written for this test).
  constexpr std::string_view kRecord =
      R"({"EventTime":"2020-01-01 10:00:00","Hostname":"WKS1.example.corp","Keywords":-9214364837600034816,"EventType":"AUDIT_FAILURE","SeverityValue":4,"Severity":"ERROR","EventID":4625,"SourceName":"Microsoft-Windows-Security-Auditing","ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","Version":0,"Task":12544,"OpcodeValue":0,"RecordNumber":5,"ProcessID":612,"ThreadID":2104,"channel":"Security","TargetUserName":"bob","SubjectUserName":"-","IpAddress":"203.0.113.5","IpPort":"51234","@timestamp":"2020-01-01T10:00:05.000Z"})";
  ASSERT_TRUE(Parse(kRecord).ok());
  EXPECT_EQ(Last().dataset, "windows.security");
  EXPECT_EQ(Last().timestamp_ns, 1577872800000000000);  // EventTime before @timestamp
  EXPECT_EQ(Get(field::kWinProviderName), "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(Get(field::kWinComputer), "WKS1.example.corp");
  EXPECT_EQ(Get(field::kWinChannel), "Security");
  EXPECT_EQ(Get("channel"), "Security");
  EXPECT_EQ(Get("SourceName"), "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(Get(field::kHostName), "WKS1.example.corp");
  EXPECT_EQ(Get(field::kUserName), "bob");
  EXPECT_EQ(Get(field::kSourceIp), "203.0.113.5");
  EXPECT_EQ(Get(field::kSourcePort), "51234");
  EXPECT_EQ(Get("Keywords"), "-9214364837600034816");
  // NXLog's ProcessID is the logging process, not EventData ProcessId.
  EXPECT_FALSE(Get(field::kProcessPid).has_value());
  EXPECT_EQ(Count("EventID"), 1u);
}

TEST_F(WindowsEventTest, EventIdAliasesAndTimeFallbacks) {
  ASSERT_TRUE(Parse(R"({"event_id": "7045", "Channel": "System"})").ok());
  EXPECT_EQ(Get(field::kWinEventId), "7045");
  EXPECT_EQ(Get(field::kEventCode), "7045");
  EXPECT_EQ(Last().timestamp_ns, kReference);  // no time key

  ASSERT_TRUE(Parse(R"({"EventId": 1, "@timestamp": "2020-10-10T13:55:36Z"})").ok());
  EXPECT_EQ(Last().timestamp_ns, 1602338136000000000);
  EXPECT_EQ(Get(field::kWinEventId), "1");

  // XML-to-JSON converters put the id in "#text".
  ASSERT_TRUE(
      Parse(R"({"EventID": {"#text": 4624, "Qualifiers": ""}, "Channel": "Security"})").ok());
  EXPECT_EQ(Get(field::kWinEventId), "4624");
  EXPECT_EQ(Get("EventID.#text"), "4624");
  EXPECT_EQ(Get(field::kEventCode), "4624");

  // Nested System object (flattened), SystemTime inside TimeCreated.
  ASSERT_TRUE(
      Parse(R"({"EventID": 1, "TimeCreated": {"SystemTime": "2020-10-10T13:55:36.5Z"}})").ok());
  EXPECT_EQ(Last().timestamp_ns, 1602338136500000000);
  EXPECT_EQ(Get("TimeCreated.SystemTime"), "2020-10-10T13:55:36.5Z");

  // Unparseable TimeCreated falls back to the next candidate, then to the reference
  // (flagged: see Issue13InvalidTimeIsFlaggedNotSilentlyRedated).
  ASSERT_TRUE(
      Parse(R"({"EventID": 1, "TimeCreated": "yesterday", "EventTime": "2020-10-10 13:55:36"})")
          .ok());
  EXPECT_EQ(Last().timestamp_ns, 1602338136000000000);
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  ASSERT_TRUE(Parse(R"({"EventID": 1, "TimeCreated": "yesterday"})").ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
}

// Issue 13, defect 5: a time that is no valid event time was silently replaced by the
// receive time. The record is kept, timed at the receive time, and flagged with its text.
TEST_F(WindowsEventTest, Issue13InvalidTimeIsFlaggedNotSilentlyRedated) {
  for (std::string_view bad : {"9999-12-31", "2025-13-45T99:99:99Z", "2026-11-20T00:00:00+99:00",
                               "1601-01-01T00:00:00Z", "yesterday"}) {
    SCOPED_TRACE(bad);
    const std::string record = R"({"EventID": 4625, "Channel": "Security", "TimeCreated": ")" +
                               std::string(bad) + R"(", "TargetUserName": "admin"})";
    ASSERT_TRUE(Parse(record).ok());
    EXPECT_EQ(Last().timestamp_ns, kReference);
    EXPECT_EQ(Get(field::kEventTimeInvalid), bad);
    EXPECT_EQ(Get("TargetUserName"), "admin");
  }
  // Nested SystemTime: the flag names the text that was there.
  ASSERT_TRUE(
      Parse(R"({"EventID": 1, "TimeCreated": {"SystemTime": "9999-12-31T00:00:00Z"}})").ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
  EXPECT_EQ(Get(field::kEventTimeInvalid), "9999-12-31T00:00:00Z");
  // A valid time, or none at all: no flag.
  ASSERT_TRUE(Parse(kSysmonNetwork).ok());
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
  ASSERT_TRUE(Parse(R"({"EventID": 1, "Channel": "System"})").ok());
  EXPECT_EQ(Last().timestamp_ns, kReference);
  EXPECT_EQ(Get(field::kEventTimeInvalid), std::nullopt);
}

TEST_F(WindowsEventTest, ValuesKeepTheirTextualForm) {
  ASSERT_TRUE(Parse(R"({"EventID": 4104, "A": 1.5e3, "B": -0.25, "C": true, "D": false, "E": null,)"
                    R"( "F": "caf\u00e9\ttab", "G\u0041": "k", "Data": ["x", 2, null, ["y"]],)"
                    R"( "H": 18446744073709551616123})")
                  .ok());
  EXPECT_EQ(Get("A"), "1.5e3");
  EXPECT_EQ(Get("B"), "-0.25");
  EXPECT_EQ(Get("C"), "true");
  EXPECT_EQ(Get("D"), "false");
  EXPECT_FALSE(Get("E").has_value());
  EXPECT_EQ(Get("F"), "caf\xC3\xA9\ttab");
  EXPECT_EQ(Get("GA"), "k");
  EXPECT_EQ(Count("Data"), 3u);  // arrays repeat their key
  EXPECT_EQ(Get("H"), "18446744073709551616123");
}

TEST_F(WindowsEventTest, InvalidUtf8IsReplacedNotFatal) {
  const std::string record =
      "{\"EventID\": 1, \"Channel\": \"Security\", \"CommandLine\": \"a\xff"
      "b\\\"c\", \"Image\": \"x\xc3\"}";
  ASSERT_TRUE(Parse(record).ok());
  EXPECT_EQ(Last().raw, record);  // raw keeps the original bytes
  EXPECT_EQ(Get("CommandLine"),
            "a\xEF\xBF\xBD"
            "b\"c");
  EXPECT_EQ(Get("Image"), "x\xEF\xBF\xBD");
  EXPECT_EQ(Last().dataset, "windows.security");
}

TEST_F(WindowsEventTest, LoneSurrogateKeepsEscapedText) {
  ASSERT_TRUE(Parse(R"({"EventID": 1, "CommandLine": "x\ud800y"})").ok());
  EXPECT_EQ(Get("CommandLine"), "x\\ud800y");
}

TEST_F(WindowsEventTest, FieldLimitCountsTruncatedFields) {
  std::string record = R"({"EventID": 1)";
  for (int i = 0; i < 1100; ++i) {
    record += ", \"k" + std::to_string(i) + "\": " + std::to_string(i);
  }
  record += "}";
  ASSERT_TRUE(Parse(record).ok());
  // 1101 source fields: 1024 kept, 77 counted; ECS fields are added on top.
  EXPECT_EQ(Get("_truncated_fields"), "77");
  EXPECT_EQ(Get("k1022"), "1022");
  EXPECT_FALSE(Get("k1023").has_value());
  EXPECT_EQ(Get(field::kEventCode), "1");
  EXPECT_EQ(FieldCount(), 1024u + 1u + 1u);
}

TEST_F(WindowsEventTest, DepthLimitDropsDeeperContainers) {
  auto nested = [](int objects) {
    std::string r = R"({"EventID": 1, )";
    for (int i = 0; i < objects; ++i) {
      r += "\"a\": {";
    }
    r += R"("x": "v")";
    r += std::string(objects, '}');
    r += "}";
    return r;
  };
  std::string path;
  for (int i = 0; i < 31; ++i) {
    path += "a.";
  }
  // The record's object plus 31 nested objects = 32 containers: kept.
  ASSERT_TRUE(Parse(nested(31)).ok());
  EXPECT_EQ(Get(path + "x"), "v");
  EXPECT_FALSE(Get("_truncated_fields").has_value());
  // One more level is dropped and counted.
  ASSERT_TRUE(Parse(nested(32)).ok());
  EXPECT_EQ(Get("_truncated_fields"), "1");
  EXPECT_EQ(Get(field::kWinEventId), "1");
  // Far deeper: skipped unread, still one count.
  ASSERT_TRUE(Parse(nested(5000)).ok());
  EXPECT_EQ(Get("_truncated_fields"), "1");
  // Unbalanced deep nesting is an error, never a crash.
  std::string unbalanced = nested(5000);
  unbalanced.resize(unbalanced.size() - 2500);
  Status s = Parse(unbalanced);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
}

TEST_F(WindowsEventTest, ErrorsAppendNothing) {
  struct Case {
    std::string record;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "windows: empty record"},
      {"   ", "windows: empty record"},
      {"not json", "windows: not a JSON object"},
      {"{\"EventID\": 1,}", "windows: invalid JSON"},
      {"[1, 2]", "windows: not a JSON object"},
      {R"("EventID")", "windows: not a JSON object"},
      {R"({"EventID": 1)", "windows: truncated JSON object"},
      {R"({"EventID": 1} {"EventID": 2})", "windows: trailing data after the JSON object"},
      {R"({"Channel": "Security", "Computer": "x"})", "windows: missing EventID"},
      {R"({"EventID": null, "Channel": "Security"})", "windows: missing EventID"},
      {R"({"EventID": 1, "Bad": 12abc})", "windows: invalid JSON number"},
      {R"({"EventID": 1, "Bad": tru})", "windows: invalid JSON literal"},
  };
  for (const Case& c : cases) {
    Status s = Parse(c.record);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.record;
    EXPECT_EQ(s.message(), c.message) << c.record;
    EXPECT_EQ(batch_.size(), 0u) << c.record;
  }
  // Nothing leaked into the field table: the next event starts at 0.
  ASSERT_TRUE(Parse(R"({"EventID": 1})").ok());
  EXPECT_EQ(Last().field_begin, 0u);
}

TEST_F(WindowsEventTest, ParserIsReusableAcrossRecords) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Parse(kSysmonProcessCreate).ok());
    ASSERT_TRUE(Parse(kSecurityNetworkLogon).ok());
  }
  ASSERT_EQ(batch_.size(), 6u);
  EXPECT_EQ(batch_.Find(batch_[4], field::kUserName), "PC04\\IEUser");
  EXPECT_EQ(batch_.Find(batch_[5], field::kUserName), "ANONYMOUS LOGON");
}

// --- Corpus conformance (../shared/corpora; skipped when absent) ----------------------

std::string ToLowerAscii(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

struct CorpusResult {
  size_t files = 0;
  size_t events = 0;
  size_t failures = 0;
  size_t sysmon_parsed = 0;
  size_t sysmon_naive = 0;
  size_t with_time = 0;
  std::string first_failure;
};

CorpusResult ParseCorpus(const std::filesystem::path& dir, std::string_view suffix) {
  CorpusResult r;
  auto parser = internal::MakeWindowsEventParser();
  ParseContext ctx;
  ctx.reference_time_ns = kReference;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    ++r.files;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string line;
    EventBatch batch;
    while (std::getline(in, line)) {
      if (line.empty()) {
        continue;
      }
      ++r.events;
      // Independent count: the raw text names the Sysmon channel or provider.
      const std::string lower = ToLowerAscii(line);
      if (lower.find(R"("channel": "microsoft-windows-sysmon/operational")") != std::string::npos ||
          lower.find(R"("provider_name": "microsoft-windows-sysmon")") != std::string::npos) {
        ++r.sysmon_naive;
      }
      Status s = parser->Parse(line, ctx, batch);
      if (!s.ok()) {
        if (r.failures++ == 0) {
          r.first_failure = entry.path().string() + ": " + std::string(s.message());
        }
        continue;
      }
      const Event& e = batch[batch.size() - 1];
      r.sysmon_parsed += e.dataset == "windows.sysmon" ? 1 : 0;
      r.with_time += e.timestamp_ns != kReference ? 1 : 0;
    }
  }
  return r;
}

TEST(WindowsEventCorpusTest, EvtxAttackSamplesAllParse) {
  const std::filesystem::path dir =
      std::filesystem::path(RAMPART_SOURCE_DIR) / "../shared/corpora/windows/EVTX-ATTACK-SAMPLES";
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "corpus not found: " << dir << " (../shared/corpora is optional)";
  }
  const CorpusResult r = ParseCorpus(dir, ".jsonl");
  EXPECT_EQ(r.files, 277u);
  EXPECT_EQ(r.events, 8255u);
  EXPECT_EQ(r.failures, 0u) << r.first_failure;
  EXPECT_EQ(r.sysmon_naive, 3241u);
  EXPECT_EQ(r.sysmon_parsed, r.sysmon_naive);
  EXPECT_EQ(r.with_time, r.events);  // every record has TimeCreated
}

TEST(WindowsEventCorpusTest, SigmaRegressionDataAllParse) {
  const std::filesystem::path dir =
      std::filesystem::path(RAMPART_SOURCE_DIR) / "../shared/corpora/sigma/regression_data";
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "corpus not found: " << dir << " (../shared/corpora is optional)";
  }
  const CorpusResult r = ParseCorpus(dir, ".evtx.jsonl");
  EXPECT_GT(r.events, 0u);
  EXPECT_EQ(r.failures, 0u) << r.first_failure;
  EXPECT_EQ(r.sysmon_parsed, r.sysmon_naive);
}

}  // namespace
}  // namespace rampart::parse
