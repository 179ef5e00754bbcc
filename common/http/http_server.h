// A small HTTP server for /metrics, /status, /ui and the JSON the UI reads.
// Runs on its own threads (cpp-httplib's pool), never on the Kafka event
// loops. Handlers must be thread-safe.
#ifndef GREGOR_COMMON_HTTP_HTTP_SERVER_H_
#define GREGOR_COMMON_HTTP_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace httplib {
class Server;
}

namespace gregor::http {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpRequest {
  std::string path;
  std::map<std::string, std::string> params;  // query parameters
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  HttpServer();
  ~HttpServer();  // Stops.

  // Registers a GET handler for an exact path. REQUIRES: before Start().
  void Get(const std::string& path, Handler handler);

  // Binds host:port (port 0 picks a free one) and serves on a background thread.
  absl::Status Start(const std::string& host, int port);
  void Stop();
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace gregor::http

#endif  // GREGOR_COMMON_HTTP_HTTP_SERVER_H_
