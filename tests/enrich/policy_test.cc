#include "enrich/internal/policy.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "enrich/enrich.h"

namespace rampart::enrich {
namespace {

// Writes `yaml` to a temp file named after the test and returns its path.
std::string WritePolicy(const std::string& yaml) {
  std::string path = ::testing::TempDir() + "/masking_" + std::to_string(::getpid()) + "_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yaml";
  std::ofstream(path, std::ios::trunc) << yaml;
  return path;
}

// The error message of loading `yaml` (empty when it loads).
std::string LoadError(const std::string& yaml, std::string* path_out = nullptr) {
  std::string path = WritePolicy(yaml);
  if (path_out != nullptr) {
    *path_out = path;
  }
  auto r = LoadMaskingPolicy(path);
  std::filesystem::remove(path);
  return r.ok() ? "" : std::string(r.status().message());
}

TEST(DefaultPolicyTest, ShippedFileEqualsBuiltIn) {
  const std::string path = RAMPART_SOURCE_DIR "/config/masking.yaml";
  auto loaded = LoadMaskingPolicy(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const MaskingPolicy& file = **loaded;
  const MaskingPolicy& built_in = *DefaultMaskingPolicy();
  // Field by field first, for a readable failure.
  EXPECT_EQ(file.mask_text, built_in.mask_text);
  EXPECT_EQ(file.default_action, built_in.default_action);
  ASSERT_EQ(file.fields.size(), built_in.fields.size());
  for (size_t i = 0; i < file.fields.size(); ++i) {
    EXPECT_EQ(file.fields[i].pattern, built_in.fields[i].pattern) << "rule " << i;
    EXPECT_EQ(file.fields[i].action, built_in.fields[i].action) << file.fields[i].pattern;
  }
  EXPECT_EQ(file.mask_keys, built_in.mask_keys);
  EXPECT_EQ(file.hash_keys, built_in.hash_keys);
  EXPECT_EQ(file.ignore_keys, built_in.ignore_keys);
  EXPECT_EQ(file.detectors, built_in.detectors);
  EXPECT_TRUE(file == built_in);
}

TEST(DefaultPolicyTest, ExplicitFileCanOnlyDifferFromDefaultIfItSaysSo) {
  // A file that restates nothing yields the built-in default (sections left out keep it).
  std::string path = WritePolicy("version: 1\n");
  auto r = LoadMaskingPolicy(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(**r == *DefaultMaskingPolicy());
}

TEST(DefaultPolicyTest, VisibleRules) {
  const MaskingPolicy& p = *DefaultMaskingPolicy();
  EXPECT_EQ(ResolveFieldAction(p, "user.name"), MaskAction::kKeep);
  EXPECT_EQ(ResolveFieldAction(p, "http.request.headers.authorization"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "http.request.headers.cookie"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "http.request.headers.x_api_key"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "cookie.lang"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "body.password"), MaskAction::kMask);
  EXPECT_EQ(ResolveFieldAction(p, "body.user.new_password"), MaskAction::kMask);
  EXPECT_EQ(ResolveFieldAction(p, "body.secret_answer"), MaskAction::kMask);
  EXPECT_EQ(ResolveFieldAction(p, "body.access_token"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "url.query.api_key"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "body.card_number"), MaskAction::kScan);
  EXPECT_EQ(ResolveFieldAction(p, "http.request.body.content"), MaskAction::kScan);
  EXPECT_EQ(ResolveFieldAction(p, "message"), MaskAction::kScan);
  EXPECT_EQ(ResolveFieldAction(p, "source.ip"), MaskAction::kKeep);
  EXPECT_EQ(ResolveFieldAction(p, "log.syslog.appname"), MaskAction::kKeep);
  EXPECT_EQ(ResolveFieldAction(p, "TargetUserName"), MaskAction::kKeep);
  EXPECT_EQ(ResolveFieldAction(p, "TargetDomainName"), MaskAction::kScan);
}

TEST(PolicyLoadTest, RulesAndPrecedence) {
  std::string path = WritePolicy(R"(
version: 1
mask_text: "***"
default_action: keep
fields:
  user.name: hash
  body.password: keep       # an exact rule beats the secret key list
  "body.*": drop
  "cookie.*": keep          # a glob does not beat the secret key list
  "*.debug.*": mask
secret_keys:
  mask: {exact: [Pin_Code], contains: [Pass-Word]}
  hash: {suffix: [Token]}
  ignore: [Pass_Word_Hint]
detectors:
  card: hash
  email: off
  key_value: false
)");
  auto r = LoadMaskingPolicy(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const MaskingPolicy& p = **r;
  EXPECT_EQ(p.mask_text, "***");
  EXPECT_EQ(p.default_action, MaskAction::kKeep);
  ASSERT_EQ(p.fields.size(), 5u);
  EXPECT_EQ(p.mask_keys.exact, std::vector<std::string>{"pincode"}) << "normalised";
  EXPECT_EQ(p.mask_keys.contains, std::vector<std::string>{"password"});
  EXPECT_EQ(p.hash_keys.suffix, std::vector<std::string>{"token"});
  EXPECT_TRUE(p.hash_keys.exact.empty()) << "a written section replaces the default";
  EXPECT_EQ(p.detectors.card, DetectorAction::kHash);
  EXPECT_EQ(p.detectors.email, DetectorAction::kOff);
  EXPECT_EQ(p.detectors.jwt, DetectorAction::kHash) << "unnamed detectors keep the default";
  EXPECT_FALSE(p.detectors.key_value);

  EXPECT_EQ(ResolveFieldAction(p, "user.name"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "body.password"), MaskAction::kKeep);
  EXPECT_EQ(ResolveFieldAction(p, "body.new_password"), MaskAction::kMask);
  EXPECT_EQ(ResolveFieldAction(p, "body.password_hint"), MaskAction::kDrop) << "ignored key";
  EXPECT_EQ(ResolveFieldAction(p, "body.note"), MaskAction::kDrop);
  EXPECT_EQ(ResolveFieldAction(p, "cookie.csrf_token"), MaskAction::kHash);
  EXPECT_EQ(ResolveFieldAction(p, "cookie.lang"), MaskAction::kKeep);
  EXPECT_EQ(ResolveFieldAction(p, "app.debug.dump"), MaskAction::kMask);
  EXPECT_EQ(ResolveFieldAction(p, "message"), MaskAction::kKeep) << "default_action";
}

TEST(PolicyLoadTest, MissingFile) {
  auto r = LoadMaskingPolicy("/nonexistent/masking.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "/nonexistent/masking.yaml: masking policy file not found");
}

TEST(PolicyLoadTest, ErrorsNameFileLineAndKey) {
  std::string path;
  std::string err = LoadError("version: 1\nmask_text: x\ndetectorz:\n  card: mask\n", &path);
  EXPECT_EQ(err, path +
                     ":3:1: unknown key 'detectorz' (expected one of: version, mask_text, "
                     "default_action, fields, secret_keys, detectors)");

  err = LoadError("fields:\n  user.name: kep\n", &path);
  EXPECT_EQ(err, path +
                     ":2:14: fields.user.name: unknown action 'kep' (expected scan, keep, "
                     "mask, hash, drop)");

  err = LoadError("detectors:\n  card: mask\n  phone: redact\n", &path);
  EXPECT_EQ(err, path +
                     ":3:10: detectors.phone: unknown detector action 'redact' (expected off, "
                     "mask, hash)");

  err = LoadError("detectors:\n  cards: mask\n", &path);
  EXPECT_EQ(err, path +
                     ":2:3: unknown key 'detectors.cards' (expected one of: bearer, jwt, card, "
                     "rrn, email, phone, key_value)");

  err = LoadError("secret_keys:\n  mask:\n    exact: [pin, p]\n", &path);
  EXPECT_EQ(err, path +
                     ":3:18: secret_keys.mask.exact: key name 'p' must have 2 to 64 characters "
                     "after normalisation (lower case, without '_', '-', '.', ' ')");

  err = LoadError("secret_keys:\n  mask:\n    prefix: [pin]\n", &path);
  EXPECT_EQ(err, path +
                     ":3:5: unknown key 'secret_keys.mask.prefix' (expected one of: exact, "
                     "suffix, contains)");

  err = LoadError("secret_keys:\n  ignore: pin\n", &path);
  EXPECT_EQ(err, path + ":2:11: secret_keys.ignore: expected a list of key names");

  err = LoadError("version: 2\n", &path);
  EXPECT_EQ(err, path + ":1:10: version: unsupported masking policy version '2' (expected 1)");

  err = LoadError("mask_text: \"a\\\"b\"\n", &path);
  EXPECT_NE(err.find(path + ":1:12: mask_text: must be non-empty"), std::string::npos) << err;

  err = LoadError("fields:\n  a: keep\n  a: mask\n", &path);
  EXPECT_EQ(err, path + ":3:3: duplicate key 'fields.a'");

  err = LoadError("fields: [a, b]\n", &path);
  EXPECT_EQ(err, path + ":1:9: fields: expected a map");

  err = LoadError("detectors:\n  key_value: maybe\n", &path);
  EXPECT_EQ(err, path + ":2:14: detectors.key_value: expected true or false, got 'maybe'");

  err = LoadError("- just\n- a list\n", &path);
  EXPECT_EQ(err, path + ":1:1: a masking policy must be a map of sections");
}

TEST(PolicyLoadTest, YamlSyntaxError) {
  std::string path;
  std::string err = LoadError("fields:\n  user.name: [keep\n", &path);
  EXPECT_EQ(err.rfind(path + ":", 0), 0u) << err;
  EXPECT_NE(err.find("YAML error"), std::string::npos) << err;
}

TEST(GlobTest, Matches) {
  using internal::GlobMatch;
  EXPECT_TRUE(GlobMatch("cookie.*", "cookie.SESSIONID"));
  EXPECT_TRUE(GlobMatch("cookie.*", "cookie."));
  EXPECT_FALSE(GlobMatch("cookie.*", "cookie"));
  EXPECT_TRUE(GlobMatch("body.*", "body.user.card_number"));
  EXPECT_TRUE(GlobMatch("*.password", "body.user.password"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYYb"));
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exactly"));
}

}  // namespace
}  // namespace rampart::enrich
