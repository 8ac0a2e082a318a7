// POST /v1/ingest: NDJSON (or any line format) in the body, gzip accepted
// (Content-Encoding: gzip). Query parameters: tenant=, format= (default: sniffed from the
// body's first lines). Answers 202 with the number of records queued, 429 with
// Retry-After when the queue is full, 413 for oversized bodies, 400 for bad parameters.

#include <atomic>
#include <thread>

#include <httplib.h>

#include "core/strings.h"
#include "ingest/internal/server_parts.h"

namespace rampart::ingest::internal {
namespace {

std::string JsonError(std::string_view message) {
  std::string out = "{\"error\":\"";
  AppendJsonEscaped(out, message);
  out += "\"}\n";
  return out;
}

class HttpInput final : public Input {
 public:
  explicit HttpInput(InputContext& ctx) : ctx_(ctx) {}
  ~HttpInput() override { Stop(); }

  Status Listen() {
    std::string host;
    int port = 0;
    if (!SplitHostPort(ctx_.config.http, &host, &port)) {
      return InvalidArgument("bad http listen address '" + ctx_.config.http + "'");
    }
    server_.set_payload_max_length(ctx_.config.http_max_body_bytes);
    server_.set_keep_alive_max_count(1000);
    server_.Post("/v1/ingest", [this](const httplib::Request& req, httplib::Response& res) {
      HandleIngest(req, res);
    });
    server_.Get("/v1/health", [this](const httplib::Request&, httplib::Response& res) {
      std::string body =
          "{\"status\":\"ok\",\"records_in\":" + std::to_string(ctx_.stats.records_in.load()) +
          ",\"events_stored\":" + std::to_string(ctx_.stats.events_stored.load()) +
          ",\"dead_letters\":" + std::to_string(ctx_.stats.dead_letters.load()) +
          ",\"udp_dropped\":" + std::to_string(ctx_.stats.udp_dropped.load()) +
          ",\"http_rejected\":" + std::to_string(ctx_.stats.http_rejected.load()) + "}\n";
      res.set_content(body, "application/json");
    });
    if (port == 0) {
      port = server_.bind_to_any_port(host);
    } else if (!server_.bind_to_port(host, port)) {
      port = -1;
    }
    if (port <= 0) {
      return IoError("cannot bind http " + ctx_.config.http);
    }
    address_ = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
               std::to_string(port);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return Status::Ok();
  }

  void Stop() override {
    server_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  std::string address() const override { return address_; }

 private:
  void HandleIngest(const httplib::Request& req, httplib::Response& res) {
    std::string tenant =
        req.has_param("tenant") ? req.get_param_value("tenant") : ctx_.config.tenant;
    if (!store::IsValidTenant(tenant)) {
      res.status = 400;
      res.set_content(JsonError("invalid tenant name"), "application/json");
      return;
    }
    std::string_view body = req.body;
    std::vector<std::string_view> lines;
    std::string_view rest = body;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      if (!Trim(line).empty()) {
        lines.push_back(line);
      }
      if (nl == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(nl + 1);
    }
    parse::Format format = parse::Format::kAuto;
    if (req.has_param("format") &&
        !parse::ParseFormatName(req.get_param_value("format"), &format)) {
      res.status = 400;
      res.set_content(JsonError("unknown format (use access, bodylog, syslog, json, windows)"),
                      "application/json");
      return;
    }
    if (format == parse::Format::kAuto && !lines.empty()) {
      format = parse::Sniff(
          std::span<const std::string_view>(lines.data(), std::min<size_t>(lines.size(), 20)));
      // NDJSON that fits no known shape is still JSON lines.
      if (format == parse::Format::kAuto) {
        format = parse::Format::kJsonLines;
      }
    }
    RecordChunk chunk;
    chunk.source = ctx_.sources.Register(SourceSpec{
        "http:" + tenant + ":" + std::string(parse::FormatName(format)), format, tenant, false});
    chunk.data.reserve(body.size());
    for (std::string_view line : lines) {
      chunk.Add(line, 0);
    }
    size_t n = chunk.records.size();
    if (n == 0) {
      res.status = 202;
      res.set_content("{\"accepted\":0}\n", "application/json");
      return;
    }
    if (!ctx_.queue.TryPush(std::move(chunk))) {
      ctx_.stats.http_rejected.fetch_add(1);
      res.status = ctx_.queue.closed() ? 503 : 429;
      res.set_header("Retry-After", "1");
      res.set_content(JsonError(res.status == 503 ? "storage unavailable" : "queue full, retry"),
                      "application/json");
      return;
    }
    ctx_.stats.records_in.fetch_add(n);
    res.status = 202;
    res.set_content("{\"accepted\":" + std::to_string(n) + "}\n", "application/json");
  }

  InputContext& ctx_;
  httplib::Server server_;
  std::thread thread_;
  std::string address_;
};

}  // namespace

Result<std::unique_ptr<Input>> StartHttpInput(InputContext& ctx) {
  auto input = std::make_unique<HttpInput>(ctx);
  RAMPART_RETURN_IF_ERROR(input->Listen());
  return std::unique_ptr<Input>(std::move(input));
}

}  // namespace rampart::ingest::internal
