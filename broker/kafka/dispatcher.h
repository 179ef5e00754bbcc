// Routes request frames from the transport to the ApiHandler of their API
// key: decodes the request header (v1, or v2 for flexible versions), checks
// the version against the handler's range, and records per-API metrics
// (requests, latency, response bytes) and requests per API and version (as
// Kafka's RequestsPerSec{request,version}: which client versions a cluster
// serves).
//
// Unsupported requests are handled as Kafka 4 does: ApiVersions with a
// version above ours gets an UNSUPPORTED_VERSION answer in v0 format listing
// our ApiVersions range (clients then retry with a version we have); any
// other unknown API or unsupported version closes the connection with a log
// line.
#ifndef GREGOR_BROKER_KAFKA_DISPATCHER_H_
#define GREGOR_BROKER_KAFKA_DISPATCHER_H_

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/server/kafka_server.h"
#include "common/metrics/metrics.h"

namespace gregor::broker {

class Dispatcher : public RequestHandler, public RequestObserver {
 public:
  static constexpr int kMaxApiKey = 127;

  explicit Dispatcher(metrics::Registry* metrics);

  // Adds the handler of one API (one per key). REQUIRES: before serving.
  void Add(std::unique_ptr<ApiHandler> handler);

  // The handler for `key`, or nullptr.
  const ApiHandler* Find(int16_t key) const;
  const std::vector<std::unique_ptr<ApiHandler>>& handlers() const { return handlers_; }

  // RequestHandler:
  void OnRequest(const ConnectionInfo& conn, std::string frame, Responder responder) override;
  // RequestObserver:
  void OnResponse(const RequestContext& ctx, int64_t response_bytes) override;

 private:
  struct ApiMetrics {
    metrics::Counter* requests = nullptr;
    metrics::Histogram* latency_ms = nullptr;
    metrics::Counter* response_bytes = nullptr;
    // kafka_network_requests_by_version_total, one slot per version of the
    // handler's range (index: version - min_version), registered on first use.
    std::unique_ptr<std::atomic<metrics::Counter*>[]> by_version;
  };

  // REQUIRES: `version` within the handler's range.
  void CountVersion(const ApiHandler& h, int16_t version);

  void AnswerUnsupportedApiVersions(const ConnectionInfo& conn, int32_t correlation_id,
                                    Responder responder);

  std::vector<std::unique_ptr<ApiHandler>> handlers_;
  std::array<ApiHandler*, kMaxApiKey + 1> by_key_{};
  std::array<ApiMetrics, kMaxApiKey + 1> metrics_{};
  metrics::Registry* registry_;
  metrics::Counter* rejected_ = nullptr;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_DISPATCHER_H_
