// The webhook connector and the dispatcher against a real HTTP server on 127.0.0.1 that
// verifies signatures the way docs/response.md tells receivers to, and can be told to fail.

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "respond/connectors.h"

namespace rampart::respond {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

const char kSecret[] = "test-secret-0123456789";

// The receiver's recipe: HMAC-SHA256(secret, "<X-Rampart-Timestamp>.<raw body>") in hex,
// compared in constant time with the part after "sha256=", and a timestamp no more than five
// minutes from now. Written here with OpenSSL directly, not with the code under test.
bool VerifySignature(const std::string& secret,
                     const std::string& timestamp,
                     const std::string& body,
                     const std::string& header) {
  if (header.rfind("sha256=", 0) != 0) {
    return false;
  }
  std::string message = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  }
  std::string expected(hex, 2 * len);
  std::string given = header.substr(7);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return false;
  }
  long long ts = std::stoll(timestamp);
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return ts > now - 300 && ts < now + 300;
}

struct Received {
  std::string content_type;
  std::string timestamp;
  std::string signature;
  std::string body;
  bool signature_ok = false;
  unsigned status = 0;
  std::chrono::steady_clock::time_point at;
};

class HookServer {
 public:
  HookServer() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~HookServer() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes accept()
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

  std::atomic<int> fail_next{0};  // answer 503 this many times
  std::atomic<bool> hang{false};  // read the request, never answer
  std::atomic<unsigned> fail_status{503};

 private:
  void Serve() {
    for (;;) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_) {
        return;
      }
      if (ec) {
        continue;
      }
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) {
        continue;
      }
      Received r;
      r.at = std::chrono::steady_clock::now();
      r.content_type = std::string(req[http::field::content_type]);
      r.timestamp = std::string(req["X-Rampart-Timestamp"]);
      r.signature = std::string(req["X-Rampart-Signature"]);
      r.body = req.body();
      r.signature_ok = VerifySignature(kSecret, r.timestamp, r.body, r.signature);
      if (hang) {
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back(r);
        continue;
      }
      http::response<http::string_body> res;
      res.version(11);
      if (!r.signature_ok) {
        res.result(401);
        res.body() = "bad signature\n";
      } else if (fail_next > 0) {
        --fail_next;
        res.result(fail_status.load());
        res.body() = "try later\nsecond line";
      } else {
        res.result(200);
        res.body() = "{}";
      }
      r.status = res.result_int();
      res.prepare_payload();
      http::write(socket, res, ec);
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(r);
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Received> received_;
};

// Collects on_result calls.
class Results {
 public:
  ConnectorDispatcher::ResultCallback Callback() {
    return [this](const std::string& tenant, const std::string& id, const ConnectorResult& r) {
      std::lock_guard<std::mutex> lock(mu_);
      all_.push_back({tenant + "/" + id, r});
      cv_.notify_all();
    };
  }
  // Waits for a result with outcome ok or failed (a final one); false after `secs`.
  bool WaitFinal(size_t count, int secs = 20) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(secs), [&] {
      size_t n = 0;
      for (const auto& [k, r] : all_) {
        n += r.outcome != "retrying" ? 1 : 0;
      }
      return n >= count;
    });
  }
  std::vector<std::pair<std::string, ConnectorResult>> all() {
    std::lock_guard<std::mutex> lock(mu_);
    return all_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, ConnectorResult>> all_;
};

class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart-hook-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    config_.name = "soc";
    config_.url = server_.url();
    config_.secret = kSecret;
    config_.timeout_ms = 2000;
    config_.retry = {3, 50, 1000};
    decision_.id = "dec-00000000000000bb";
    decision_.tenant = "acme";
    decision_.scope = Scope::kIp;
    decision_.value = "198.51.100.7";
    decision_.action = Action::kBlock;
    decision_.reason = "ssh brute force \"root\" \xc3\xa9";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ConnectorsConfig Config() const {
    ConnectorsConfig c;
    c.webhooks.push_back(config_);
    return c;
  }

  HookServer server_;
  std::filesystem::path dir_;
  WebhookConfig config_;
  Decision decision_;
};

TEST(WebhookSignature, MatchesAnIndependentComputation) {
  // python3 -c 'import hmac,hashlib; print(hmac.new(b"Jefe",
  //     b"1700000000.{\"event\":\"x\"}", hashlib.sha256).hexdigest())'
  EXPECT_EQ(WebhookSignature("Jefe", "1700000000", R"({"event":"x"})"),
            "sha256=98898de2ce4fa86e2650097b769b37cfbdbc8dc14045a576d2173f7132609cf3");
}

TEST_F(WebhookTest, PostsASignedJsonBody) {
  Status s = SendWebhook(config_, Operation::kApply, decision_, 1'700'000'000'000'000'000);
  // The server refuses timestamps far from now: this one is from 2023.
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "HTTP 401: bad signature");

  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  s = SendWebhook(config_, Operation::kRemove, decision_, now_ns);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto got = server_.received();
  ASSERT_EQ(got.size(), 2U);
  EXPECT_TRUE(got[1].signature_ok);
  EXPECT_EQ(got[1].content_type, "application/json");
  EXPECT_EQ(got[1].timestamp, std::to_string(now_ns / 1'000'000'000));
  EXPECT_EQ(got[1].body, WebhookBody(Operation::kRemove, decision_));
  EXPECT_EQ(got[1].body.rfind("{\"event\":\"decision.remove\",\"decision\":{\"id\":", 0), 0U);
}

TEST_F(WebhookTest, ReportsHttpStatusRefusedConnectionsAndTimeouts) {
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  server_.fail_next = 1;
  Status s = SendWebhook(config_, Operation::kApply, decision_, now_ns);
  EXPECT_EQ(s.message(), "HTTP 503: try later");

  WebhookConfig closed = config_;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed.url = "http://127.0.0.1:" + std::to_string(a.local_endpoint().port()) + "/";
  }  // closed again: nothing listens there
  s = SendWebhook(closed, Operation::kApply, decision_, now_ns);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("connect: Connection refused"), std::string::npos) << s.message();

  server_.hang = true;
  WebhookConfig quick = config_;
  quick.timeout_ms = 200;
  auto start = std::chrono::steady_clock::now();
  s = SendWebhook(quick, Operation::kApply, decision_, now_ns);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("timeout after 200 ms"), std::string::npos) << s.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(WebhookTest, DispatcherRetriesWithBackoffThenSucceeds) {
  server_.fail_next = 2;
  Results results;
  ConnectorDispatcher dispatcher(Config(), dir_.string(), results.Callback());
  EXPECT_EQ(dispatcher.ConnectorNames(), std::vector<std::string>{"webhook:soc"});
  EXPECT_EQ(dispatcher.Enqueue(Operation::kApply, decision_), 1U);
  ASSERT_TRUE(results.WaitFinal(1));
  auto all = results.all();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].first, "acme/dec-00000000000000bb");
  EXPECT_EQ(all[0].second.connector, "webhook:soc");
  EXPECT_EQ(all[0].second.outcome, "retrying");
  EXPECT_EQ(all[0].second.detail, "HTTP 503: try later");
  EXPECT_EQ(all[0].second.attempt, 1);
  EXPECT_EQ(all[1].second.outcome, "retrying");
  EXPECT_EQ(all[1].second.attempt, 2);
  EXPECT_EQ(all[2].second.outcome, "ok");
  EXPECT_EQ(all[2].second.attempt, 3);
  EXPECT_GT(all[2].second.time_ns, 0);
  auto got = server_.received();
  ASSERT_EQ(got.size(), 3U);
  EXPECT_GE(got[1].at - got[0].at, std::chrono::milliseconds(50));   // backoff 50 ms
  EXPECT_GE(got[2].at - got[1].at, std::chrono::milliseconds(100));  // then doubled
  for (const Received& r : got) {
    EXPECT_TRUE(r.signature_ok);
  }
  auto counters = dispatcher.Counters();
  ASSERT_EQ(counters.size(), 1U);
  EXPECT_EQ(counters[0].attempts, 3U);
  EXPECT_EQ(counters[0].ok, 1U);
  EXPECT_EQ(counters[0].retried, 2U);
  EXPECT_EQ(counters[0].failed, 0U);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "respond" / "connector_dead_letters.ndjson"));
  EXPECT_EQ(dispatcher.Stop(), 0U);
}

TEST_F(WebhookTest, DispatcherDeadLettersAfterTheLastFailure) {
  server_.fail_next = 100;
  config_.retry = {2, 20, 1000};
  Results results;
  ConnectorDispatcher dispatcher(Config(), dir_.string(), results.Callback());
  dispatcher.Enqueue(Operation::kApply, decision_);
  ASSERT_TRUE(results.WaitFinal(1));
  auto all = results.all();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[2].second.outcome, "failed");
  EXPECT_EQ(all[2].second.attempt, 3);
  EXPECT_EQ(server_.received().size(), 3U);

  std::filesystem::path dl = dir_ / "respond" / "connector_dead_letters.ndjson";
  struct stat st {};
  ASSERT_EQ(::stat(dl.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  std::ifstream in(dl);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("\"connector\":\"webhook:soc\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"decision_id\":\"dec-00000000000000bb\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"attempts\":3"), std::string::npos) << line;
  EXPECT_NE(line.find("\"error\":\"HTTP 503: try later\""), std::string::npos) << line;
  EXPECT_FALSE(std::getline(in, line));
  EXPECT_EQ(dispatcher.Counters()[0].failed, 1U);
}

TEST_F(WebhookTest, DispatcherRoutesByActionAndNamedConnectorAndSkipsShadow) {
  config_.actions = {Action::kBlock};
  Results results;
  ConnectorDispatcher dispatcher(Config(), dir_.string(), results.Callback());
  Decision notify = decision_;
  notify.action = Action::kNotify;
  EXPECT_EQ(dispatcher.Enqueue(Operation::kApply, notify), 0U);
  Decision shadow = decision_;
  shadow.shadow = true;
  EXPECT_EQ(dispatcher.Enqueue(Operation::kApply, shadow), 0U);
  Decision other = decision_;
  other.connector = "command:lock-account";
  EXPECT_EQ(dispatcher.Enqueue(Operation::kApply, other), 0U);
  Decision named = decision_;
  named.connector = "webhook:soc";
  EXPECT_EQ(dispatcher.Enqueue(Operation::kApply, named), 1U);
  ASSERT_TRUE(results.WaitFinal(1));
  EXPECT_EQ(server_.received().size(), 1U);
}

TEST_F(WebhookTest, FullQueueFailsAtOnceAndStopAbandonsWithACount) {
  server_.hang = true;  // each attempt holds the worker ~0.5 s
  config_.timeout_ms = 500;
  config_.retry = {0, 10, 10};
  ConnectorsConfig c = Config();
  c.queue_capacity = 2;
  Results results;
  ConnectorDispatcher dispatcher(c, dir_.string(), results.Callback());
  size_t taken = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {
    Decision d = decision_;
    d.id = "dec-" + std::to_string(i);
    taken += dispatcher.Enqueue(Operation::kApply, d);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_GE(taken, 2U);
  EXPECT_LE(taken, 3U);  // two queued, and maybe one already taken by the worker
  size_t queue_full = 0;
  for (const auto& [k, r] : results.all()) {
    queue_full += r.detail == "queue full" ? 1 : 0;
    EXPECT_EQ(r.outcome, "failed");
  }
  EXPECT_EQ(queue_full, 6U - taken);
  size_t abandoned = dispatcher.Stop(0);
  EXPECT_GE(abandoned, 1U);
  size_t reported = 0;
  for (const auto& [k, r] : results.all()) {
    reported += r.detail == "abandoned at shutdown" ? 1 : 0;
  }
  EXPECT_EQ(reported, abandoned);
  EXPECT_EQ(dispatcher.Stop(0), 0U);  // idempotent
  EXPECT_EQ(dispatcher.Enqueue(Operation::kApply, decision_), 0U);
}

}  // namespace
}  // namespace rampart::respond
