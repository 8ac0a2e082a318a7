#include "server/auth.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace rampart::server {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kNow = 1'800'000'000'000'000'000;
constexpr int64_t kSec = 1'000'000'000;

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart_tokens_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    auto s = TokenStore::Open(dir_.string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Create(const std::string& name,
                     Role role,
                     std::vector<std::string> tenants,
                     int64_t expires_ns = 0) {
    NewToken spec;
    spec.name = name;
    spec.role = role;
    spec.all_tenants = tenants.empty();
    spec.tenants = std::move(tenants);
    spec.expires_ns = expires_ns;
    spec.created_by = "test";
    auto token = store_->Create(spec, kNow, nullptr);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : "";
  }

  fs::path dir_;
  std::unique_ptr<TokenStore> store_;
};

TEST_F(TokenStoreTest, StoresOnlyTheHashAndAuthenticatesTheSecret) {
  std::string token = Create("alice-ingest", Role::kIngest, {"alice"});
  ASSERT_EQ(token.rfind("rpt_", 0), 0u);
  EXPECT_EQ(token.size(), 4u + 43u);  // 256 random bits, base64url
  auto id = store_->Authenticate(token, kNow);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->name, "alice-ingest");
  EXPECT_EQ(id->role, Role::kIngest);
  EXPECT_EQ(id->tenants, std::vector<std::string>{"alice"});
  EXPECT_FALSE(store_->Authenticate(token + "x", kNow).has_value());
  EXPECT_FALSE(store_->Authenticate("", kNow).has_value());
  // The secret is nowhere in the database file; its hash is.
  std::string bytes;
  for (const char* name : {"tokens.db", "tokens.db-wal"}) {
    std::ifstream in(dir_ / name, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_EQ(bytes.find(token.substr(4)), std::string::npos);
  EXPECT_NE(bytes.find(TokenHash(token)), std::string::npos);
}

TEST_F(TokenStoreTest, RevokedAndExpiredTokensAreRefused) {
  std::string a = Create("a", Role::kAnalyst, {"t"});
  std::string b = Create("b", Role::kAnalyst, {"t"}, kNow + 10 * kSec);
  ASSERT_TRUE(store_->Authenticate(b, kNow).has_value());
  EXPECT_FALSE(store_->Authenticate(b, kNow + 10 * kSec).has_value());
  Identity revoked;
  ASSERT_TRUE(store_->Revoke("a", "local:tester", kNow, &revoked).ok());
  EXPECT_EQ(revoked.name, "a");
  EXPECT_EQ(revoked.revoked_by, "local:tester");
  EXPECT_FALSE(store_->Authenticate(a, kNow).has_value());
  EXPECT_EQ(store_->Revoke("a", "local:tester", kNow, nullptr).code(), StatusCode::kNotFound);
  // A revoked name may be used again.
  EXPECT_FALSE(Create("a", Role::kAnalyst, {"t"}).empty());
  // Who revoked it is kept with the token.
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  auto first = std::find_if(list->begin(), list->end(),
                            [](const Identity& i) { return i.name == "a" && i.revoked_ns != 0; });
  ASSERT_NE(first, list->end());
  EXPECT_EQ(first->revoked_by, "local:tester");
}

TEST_F(TokenStoreTest, AnotherProcessRevocationIsSeenWithoutRestart) {
  std::string token = Create("svc", Role::kIngest, {"t"});
  auto other = TokenStore::Open(dir_.string());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Revoke("svc", "local:tester", kNow, nullptr).ok());
  std::this_thread::sleep_for(std::chrono::nanoseconds(TokenStore::kRefreshNs + 50'000'000));
  EXPECT_FALSE(store_->Authenticate(token, kNow).has_value());
}

TEST_F(TokenStoreTest, RefusesBadSpecs) {
  NewToken spec;
  spec.name = "x";
  spec.role = Role::kAnalyst;
  EXPECT_EQ(store_->Create(spec, kNow, nullptr).status().code(), StatusCode::kInvalidArgument);
  spec.tenants = {"../etc"};
  EXPECT_EQ(store_->Create(spec, kNow, nullptr).status().code(), StatusCode::kInvalidArgument);
  spec.tenants = {"ok"};
  ASSERT_TRUE(store_->Create(spec, kNow, nullptr).ok());
  EXPECT_EQ(store_->Create(spec, kNow, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST(RolesTest, PermissionMatrix) {
  struct Row {
    Role role;
    bool ingest, read, act, admin;
  };
  const Row rows[] = {
      {Role::kIngest, true, false, false, false},  {Role::kAnalyst, false, true, false, false},
      {Role::kOperator, false, true, true, false}, {Role::kAuditor, false, true, false, false},
      {Role::kAdmin, true, true, true, true},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(RoleName(r.role)));
    EXPECT_EQ(RoleHas(r.role, Permission::kIngest), r.ingest);
    EXPECT_EQ(RoleHas(r.role, Permission::kRead), r.read);
    EXPECT_EQ(RoleHas(r.role, Permission::kAct), r.act);
    EXPECT_EQ(RoleHas(r.role, Permission::kAdmin), r.admin);
    Role parsed;
    ASSERT_TRUE(ParseRole(RoleName(r.role), &parsed));
    EXPECT_EQ(parsed, r.role);
  }
}

TEST(IdentityTest, TenantResolutionStaysWithinTheTokensTenants) {
  Identity one;
  one.tenants = {"alice"};
  EXPECT_EQ(*one.ResolveTenant("", "default"), "alice");
  EXPECT_EQ(*one.ResolveTenant("alice", "default"), "alice");
  EXPECT_EQ(one.ResolveTenant("bob", "default").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(one.ResolveTenant("ALICE", "default").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(one.ResolveTenant("..", "default").status().code(), StatusCode::kInvalidArgument);
  Identity two;
  two.tenants = {"a", "b"};
  EXPECT_EQ(two.ResolveTenant("", "default").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*two.ResolveTenant("b", "default"), "b");
  Identity all;
  all.all_tenants = true;
  EXPECT_EQ(*all.ResolveTenant("", "default"), "default");
  EXPECT_EQ(*all.ResolveTenant("zeta", "default"), "zeta");
}

}  // namespace
}  // namespace rampart::server
