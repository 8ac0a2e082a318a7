// libFuzzer target for the audit log readers: arbitrary bytes as audit.log (and, after a
// line "#head", as audit.head) must give a verdict or an error Status from Verify,
// ReadRecords and ReadSignedHeads, never a crash. The public key is fixed: the seed corpus
// (tests/fuzz/corpus/audit_reader/) was written with its secret key, so mutations of valid
// checkpoints reach the signature checks.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "audit/audit.h"

namespace {

// The public key of the seed 0x01 * 32 (the corpus' signing.key).
constexpr const char* kPublicKey =
    "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

void WriteFile(const std::string& path, std::string_view data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f != nullptr) {
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp/rampart_audit_fuzz_" + std::to_string(getpid());
  static const bool made = std::filesystem::create_directories(dir + "/audit");
  (void)made;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view log = input;
  std::string_view head;
  if (size_t at = input.find("\n#head\n"); at != std::string_view::npos) {
    log = input.substr(0, at + 1);
    head = input.substr(at + 7);
  }
  WriteFile(dir + "/audit/audit.log", log);
  if (head.empty()) {
    std::filesystem::remove(dir + "/audit/audit.head");
  } else {
    WriteFile(dir + "/audit/audit.head", head);
  }
  (void)rampart::audit::Verify(dir, kPublicKey);
  auto records = rampart::audit::ReadRecords(dir);
  if (records.ok() && !records->empty()) {
    (void)rampart::audit::SelectStory(*records, "inc-7");
    (void)rampart::audit::RecordJson(records->front());
  }
  (void)rampart::audit::ReadSignedHeads(dir);
  return 0;
}
