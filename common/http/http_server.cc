#include "common/http/http_server.h"

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace gregor::http {

HttpServer::HttpServer() : server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Get(const std::string& path, Handler handler) {
  server_->Get(path, [handler = std::move(handler), path](const httplib::Request& req,
                                                          httplib::Response& res) {
    HttpRequest r;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.params[k] = v;
    HttpResponse out = handler(r);
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
  });
}

absl::Status HttpServer::Start(const std::string& host, int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(host.c_str());
    if (port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot bind HTTP on ", host));
  } else {
    if (!server_->bind_to_port(host.c_str(), port)) {
      return absl::UnavailableError(absl::StrCat("cannot bind HTTP on ", host, ":", port));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace gregor::http
