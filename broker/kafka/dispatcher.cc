#include "broker/kafka/dispatcher.h"

#include <string>

#include "proto/kafka/messages/api_table.h"
#include "proto/kafka/messages/api_versions.h"

namespace gregor::broker {
namespace {
constexpr int16_t kApiVersionsKey = 18;
constexpr int16_t kUnsupportedVersion = 35;
}  // namespace

Dispatcher::Dispatcher(metrics::Registry* metrics) : registry_(metrics) {
  if (metrics != nullptr) {
    rejected_ = metrics->GetCounter("kafka_network_rejected_requests_total",
                                    "Requests refused: unknown API, unsupported version or "
                                    "malformed header.");
  }
}

void Dispatcher::Add(std::unique_ptr<ApiHandler> h) {
  CHECK(h->api_key() >= 0 && h->api_key() <= kMaxApiKey) << h->api_key();
  CHECK(by_key_[h->api_key()] == nullptr) << "two handlers for API key " << h->api_key();
  by_key_[h->api_key()] = h.get();
  if (registry_ != nullptr) {
    metrics::Labels l = {{"request", std::string(h->name())}};
    metrics_[h->api_key()] = ApiMetrics{
        .requests = registry_->GetCounter("kafka_network_requests_total",
                                          "Requests received, by API.", l),
        .latency_ms = registry_->GetHistogram("kafka_network_request_latency_ms",
                                              "Time from receiving a request to its response.",
                                              l, metrics::LatencyBucketsMs()),
        .response_bytes = registry_->GetCounter("kafka_network_response_bytes_total",
                                                "Response bytes, by API.", l),
        .by_version = std::make_unique<std::atomic<metrics::Counter*>[]>(
            h->max_version() - h->min_version() + 1)};
  }
  handlers_.push_back(std::move(h));
}

const ApiHandler* Dispatcher::Find(int16_t key) const {
  return key >= 0 && key <= kMaxApiKey ? by_key_[key] : nullptr;
}

void Dispatcher::OnRequest(const ConnectionInfo& conn, std::string frame, Responder responder) {
  // The transport guarantees at least 8 bytes: key, version, correlation id.
  const int16_t key = static_cast<int16_t>(LoadBE16(frame.data()));
  const int16_t version = static_cast<int16_t>(LoadBE16(frame.data() + 2));
  const int32_t correlation_id = static_cast<int32_t>(LoadBE32(frame.data() + 4));
  ApiHandler* h = key >= 0 && key <= kMaxApiKey ? by_key_[key] : nullptr;
  if (h == nullptr || version < h->min_version() || version > h->max_version()) {
    if (rejected_ != nullptr) rejected_->Inc();
    if (h != nullptr && key == kApiVersionsKey && version > h->max_version()) {
      AnswerUnsupportedApiVersions(conn, correlation_id, std::move(responder));
      return;
    }
    const kafka::ApiInfo* info = kafka::FindApi(key);
    LOG(WARNING) << "closing connection from " << conn.peer << ": "
                 << (h == nullptr ? "unsupported API " : "unsupported version of API ")
                 << (info != nullptr ? std::string(info->name) : std::to_string(key)) << " (key "
                 << key << ") v" << version
                 << (h != nullptr ? " (supported: v" + std::to_string(h->min_version()) + "-v" +
                                        std::to_string(h->max_version()) + ")"
                                  : "");
    responder.CloseConnection("unsupported request");
    return;
  }
  auto ctx = std::make_shared<RequestContext>();
  ctx->conn = conn;
  ctx->received_at = std::chrono::steady_clock::now();
  ctx->frame = std::move(frame);
  const kafka::ApiInfo* info = kafka::FindApi(key);
  const bool flexible = info != nullptr && info->IsFlexible(version);
  ByteReader r(ctx->frame.data(), ctx->frame.size());
  absl::Status s = ctx->header.Decode(r, flexible ? 2 : 1);
  if (!s.ok()) {
    if (rejected_ != nullptr) rejected_->Inc();
    LOG(WARNING) << "closing connection from " << conn.peer << ": malformed request header: " << s;
    responder.CloseConnection("malformed header");
    return;
  }
  if (metrics_[key].requests != nullptr) metrics_[key].requests->Inc();
  CountVersion(*h, version);
  h->HandleFrame(std::move(ctx), r, std::move(responder), this);
}

void Dispatcher::CountVersion(const ApiHandler& h, int16_t version) {
  ApiMetrics& m = metrics_[h.api_key()];
  if (m.by_version == nullptr) return;
  std::atomic<metrics::Counter*>& slot = m.by_version[version - h.min_version()];
  metrics::Counter* c = slot.load(std::memory_order_acquire);
  if (c == nullptr) {
    // Two threads may both get here: the registry hands both the same counter.
    c = registry_->GetCounter(
        "kafka_network_requests_by_version_total", "Requests received, by API and version.",
        {{"request", std::string(h.name())}, {"version", std::to_string(version)}});
    slot.store(c, std::memory_order_release);
  }
  c->Inc();
}

void Dispatcher::OnResponse(const RequestContext& ctx, int64_t response_bytes) {
  const ApiMetrics& m = metrics_[ctx.api_key()];
  if (m.latency_ms == nullptr) return;
  auto elapsed = std::chrono::steady_clock::now() - ctx.received_at;
  m.latency_ms->Observe(std::chrono::duration<double, std::milli>(elapsed).count());
  m.response_bytes->Inc(static_cast<double>(response_bytes));
}

void Dispatcher::AnswerUnsupportedApiVersions(const ConnectionInfo& conn, int32_t correlation_id,
                                              Responder responder) {
  // v0 body: error code, then our own ApiVersions range only (what Kafka does).
  const ApiHandler* h = by_key_[kApiVersionsKey];
  kafka::ApiVersionsResponse resp;
  resp.error_code = kUnsupportedVersion;
  kafka::ApiVersionsResponse::ApiVersion v;
  v.api_key = kApiVersionsKey;
  v.min_version = h->min_version();
  v.max_version = h->max_version();
  resp.api_keys.push_back(v);
  RequestContext ctx;
  ctx.conn = conn;
  ctx.header.request_api_key = kApiVersionsKey;
  ctx.header.request_api_version = 0;
  ctx.header.correlation_id = correlation_id;
  absl::StatusOr<kafka::OutputFrame> frame = EncodeResponse(ctx, resp);
  CHECK(frame.ok()) << frame.status();
  responder.Send(std::make_unique<KafkaFrame>(*std::move(frame)));
}

}  // namespace gregor::broker
