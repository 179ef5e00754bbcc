// A stand-in process for exercising the image build and the compose health
// checks before gregor-controller and gregor-broker exist. It is NOT a broker
// or a controller: it speaks no Kafka and no gRPC. It serves only
//   GET /status       {"ready": true, "role": "placeholder", ...}
//   GET /metrics      gregor_placeholder_up 1
//   GET /ui           the cluster view page
//   GET /api/cluster  a view listing nothing but this process's id
// on --http_port, and ignores every other flag it is given (so the compose
// file's flags for the real binaries can be passed unchanged).
//
//   placeholder_node --node_id=1 --http_port=8080 [ignored flags...]
#include <csignal>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/clock.h"
#include "common/http/http_server.h"
#include "common/ui/http_routes.h"
#include "glog/logging.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

bool IntFlag(const std::string& arg, const char* name, int* out) {
  const std::string prefix = std::string("--") + name + "=";
  if (!absl::StartsWith(arg, prefix)) return false;
  if (!absl::SimpleAtoi(arg.substr(prefix.size()), out)) {
    LOG(ERROR) << "bad value in " << arg;
    std::exit(2);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  int node_id = -1, http_port = 8080;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!IntFlag(arg, "node_id", &node_id) && !IntFlag(arg, "http_port", &http_port)) {
      LOG(INFO) << "placeholder ignores " << arg;
    }
  }
  gregor::http::HttpServer server;
  server.Get("/status", [node_id](const gregor::http::HttpRequest&) {
    return gregor::http::HttpResponse{
        .content_type = "application/json",
        .body = "{\"ready\": true, \"role\": \"placeholder\", \"node_id\": " + std::to_string(node_id) + "}"};
  });
  server.Get("/metrics", [](const gregor::http::HttpRequest&) {
    return gregor::http::HttpResponse{
        .content_type = "text/plain; version=0.0.4",
        .body = "# HELP gregor_placeholder_up 1 while the placeholder runs.\n"
                "# TYPE gregor_placeholder_up gauge\ngregor_placeholder_up 1\n"};
  });
  gregor::ui::AddClusterViewRoutes(
      &server,
      [node_id] {
        gregor::ui::ClusterView v;
        v.generated_ms = gregor::Clock::Real()->WallMillis();
        v.served_by = node_id;
        v.served_by_role = "placeholder";
        return v;
      },
      nullptr);
  if (auto s = server.Start("0.0.0.0", http_port); !s.ok()) {
    LOG(ERROR) << s;
    return 1;
  }
  LOG(INFO) << "placeholder node " << node_id << " serving HTTP on " << http_port;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  while (!g_stop) pause();
  server.Stop();
  return 0;
}
