#include "broker/kafka/server/kafka_server.h"

#include <future>

#include "absl/strings/str_cat.h"
#include "broker/kafka/server/connection.h"
#include "glog/logging.h"

namespace gregor::broker {

Responder& Responder::operator=(Responder&& o) noexcept {
  if (this != &o) {
    if (!done_) Complete(nullptr, true, "request dropped by handler");
    conn_ = std::move(o.conn_);
    seq_ = o.seq_;
    done_ = o.done_;
    o.done_ = true;
  }
  return *this;
}

Responder::~Responder() {
  if (!done_) {
    LOG(ERROR) << "a request was dropped without a response; closing its connection";
    Complete(nullptr, true, "request dropped by handler");
  }
}

void Responder::Send(std::unique_ptr<OutgoingFrame> frame) { Complete(std::move(frame), false, ""); }
void Responder::NoResponse() { Complete(nullptr, false, ""); }
void Responder::CloseConnection(std::string reason) { Complete(nullptr, true, std::move(reason)); }

void Responder::Complete(std::unique_ptr<OutgoingFrame> frame, bool close, std::string reason) {
  if (done_) return;
  done_ = true;
  std::shared_ptr<Connection> conn = conn_.lock();
  if (conn == nullptr) return;
  asio::io_context* loop = conn->info().loop;
  if (loop->get_executor().running_in_this_thread()) {
    conn->Complete(seq_, std::move(frame), close, std::move(reason));
    return;
  }
  // OutgoingFrame is move-only; asio handlers must be copyable in 1.22, so
  // carry it in a shared_ptr.
  auto f = std::make_shared<std::unique_ptr<OutgoingFrame>>(std::move(frame));
  asio::post(*loop, [conn, seq = seq_, f, close, reason = std::move(reason)]() mutable {
    conn->Complete(seq, std::move(*f), close, std::move(reason));
  });
}

KafkaServer::KafkaServer(KafkaServerOptions options, EventLoops* loops, RequestHandler* handler)
    : options_(std::move(options)),
      loops_(loops),
      handler_(handler),
      accept_loop_(loops->loop(0)),
      acceptor_(accept_loop_) {}

KafkaServer::~KafkaServer() { Stop(); }

absl::Status KafkaServer::Start() {
  asio::error_code ec;
  auto addr = asio::ip::make_address(options_.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listener host '", options_.host, "'"));
  asio::ip::tcp::endpoint ep(addr, options_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(options_.listen_backlog, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port, ": ", ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  asio::post(accept_loop_, [this] { Accept(); });
  return absl::OkStatus();
}

void KafkaServer::Accept() {
  if (stopped_) return;
  asio::io_context& target = loops_->Next();
  acceptor_.async_accept(target, [this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // EMFILE and friends: log, back off briefly by continuing on the next event.
      LOG_EVERY_N(WARNING, 100) << "accept failed: " << ec.message();
    } else if (connection_count_.load() >= options_.max_connections) {
      LOG_EVERY_N(WARNING, 100) << "refusing connection: " << options_.max_connections
                                << " connections open (max.connections)";
      asio::error_code ignored;
      socket.close(ignored);
    } else {
      uint64_t id = next_id_++;
      auto conn = std::make_shared<Connection>(std::move(socket), id, this);
      Register(conn);
      asio::post(*conn->info().loop, [conn] { conn->Start(); });
    }
    Accept();
  });
}

void KafkaServer::Register(const std::shared_ptr<Connection>& c) {
  absl::MutexLock l(&mu_);
  connections_[c->info().id] = c;
  ++connection_count_;
}

void KafkaServer::Unregister(uint64_t id) {
  absl::MutexLock l(&mu_);
  if (connections_.erase(id) > 0) --connection_count_;
}

void KafkaServer::Stop() {
  if (stopped_.exchange(true)) return;
  std::vector<std::shared_ptr<Connection>> conns;
  {
    absl::MutexLock l(&mu_);
    for (auto& [id, w] : connections_) {
      if (auto c = w.lock()) conns.push_back(std::move(c));
    }
  }
  if (accept_loop_.stopped()) {
    asio::error_code ec;
    acceptor_.close(ec);
    return;
  }
  // Close the acceptor and every connection on their own loops, and wait.
  auto done = std::make_shared<std::promise<void>>();
  asio::post(accept_loop_, [this, done] {
    asio::error_code ec;
    acceptor_.close(ec);
    done->set_value();
  });
  done->get_future().wait_for(std::chrono::seconds(5));
  for (auto& c : conns) {
    asio::post(*c->info().loop, [c] { c->Close("server stopping"); });
  }
}

}  // namespace gregor::broker
