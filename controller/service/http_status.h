// The controller's HTTP pages: /metrics (Prometheus text), /status (JSON),
// and the live cluster view (/ui, /api/cluster: common/ui), served with
// cpp-httplib on their own threads.
#ifndef GREGOR_CONTROLLER_SERVICE_HTTP_STATUS_H_
#define GREGOR_CONTROLLER_SERVICE_HTTP_STATUS_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/ui/event_timeline.h"
#include "common/ui/timeline_observer.h"
#include "controller/metadata_log.h"
#include "controller/quorum_controller.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace gregor::controller {

// Prometheus text exposition of the controller's state.
std::string RenderMetrics(const QuorumController& quorum, const MetadataLog& log);
// JSON: Raft state, brokers, topics and partitions (at most
// `max_partitions`), and a CRC-32C of the image's snapshot records (equal on
// every controller at the same offset).
std::string RenderStatus(const QuorumController& quorum, const MetadataLog& log,
                         size_t max_partitions = 10'000);

class HttpStatusServer {
 public:
  HttpStatusServer(const QuorumController* quorum, const MetadataLog* log);
  ~HttpStatusServer();
  // Binds host:port and serves on a background thread.
  absl::Status Start(const std::string& host, int port);
  void Stop();

 private:
  const QuorumController* quorum_;
  const MetadataLog* log_;
  // Leader elections and ISR changes as this controller saw them commit.
  ui::EventTimeline timeline_;
  std::unique_ptr<ui::TimelineObserver> observer_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_SERVICE_HTTP_STATUS_H_
