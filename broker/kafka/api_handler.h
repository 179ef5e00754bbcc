// How a Kafka API is served: one ApiHandler per API key, each declaring the
// versions it supports. The dispatcher (dispatcher.h) routes frames to them;
// ApiVersions answers are derived from the same list (handlers/registry.cc),
// so what is advertised is exactly what is handled.
//
// Most handlers derive from Handler<Request, Response>, which decodes the
// request and gives the handler a Reply to answer with, now or later from
// any thread.
#ifndef GREGOR_BROKER_KAFKA_API_HANDLER_H_
#define GREGOR_BROKER_KAFKA_API_HANDLER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "broker/kafka/kafka_frame.h"
#include "broker/kafka/server/kafka_server.h"
#include "common/bytes.h"
#include "glog/logging.h"
#include "proto/kafka/messages/headers.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::broker {

// Everything about one request besides its body. Shared by the request and
// its (possibly delayed) reply.
struct RequestContext {
  ConnectionInfo conn;
  kafka::RequestHeader header;
  int16_t api_key() const { return header.request_api_key; }
  int16_t api_version() const { return header.request_api_version; }
  std::chrono::steady_clock::time_point received_at;
  // The request frame; record views in the decoded request point into it.
  // Handlers may modify it in place (the log stamps offsets into batches).
  std::string frame;
};

// Called with every completed response, for metrics.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnResponse(const RequestContext& ctx, int64_t response_bytes) = 0;
};

class ApiHandler {
 public:
  virtual ~ApiHandler() = default;
  virtual int16_t api_key() const = 0;
  virtual std::string_view name() const = 0;
  virtual int16_t min_version() const = 0;
  virtual int16_t max_version() const = 0;
  // `body` reads the request body (after the header) inside ctx->frame.
  virtual void HandleFrame(std::shared_ptr<RequestContext> ctx, ByteReader body,
                           Responder responder, RequestObserver* observer) = 0;
};

// Response header version for an API version: v1 (with tagged fields) for
// flexible versions, except ApiVersions which always answers with v0.
inline int16_t ResponseHeaderVersion(int16_t api_key, bool flexible) {
  return (flexible && api_key != 18) ? 1 : 0;
}

// Encodes a complete response frame: size, header, body.
template <typename Response>
absl::StatusOr<kafka::OutputFrame> EncodeResponse(const RequestContext& ctx, const Response& resp) {
  const int16_t version = ctx.api_version();
  const bool flexible =
      Response::kFirstFlexibleVersion >= 0 && version >= Response::kFirstFlexibleVersion;
  kafka::WireWriter w;
  w.WriteInt32(0);  // size, patched by FinishFrame
  kafka::ResponseHeader h;
  h.correlation_id = ctx.header.correlation_id;
  h.Write(w, ResponseHeaderVersion(Response::kApiKey, flexible));
  resp.Encode(w, version);
  if (!w.ok()) return w.status();
  return std::move(w).FinishFrame();
}

// Sends one response of type Response for a request. Move-only; thread-safe
// to use from any one thread at a time. Dropping it unsent closes the
// connection (see Responder).
template <typename Response>
class Reply {
 public:
  Reply(std::shared_ptr<RequestContext> ctx, Responder responder, RequestObserver* observer)
      : ctx_(std::move(ctx)), responder_(std::move(responder)), observer_(observer) {}
  Reply(Reply&&) = default;
  Reply& operator=(Reply&&) = default;

  void Send(const Response& resp) {
    absl::StatusOr<kafka::OutputFrame> frame = EncodeResponse(*ctx_, resp);
    if (!frame.ok()) {
      LOG(ERROR) << "cannot encode " << Response::kName << " v" << ctx_->api_version()
                 << " for " << ctx_->conn.peer << ": " << frame.status();
      responder_.CloseConnection("response encoding failed");
      return;
    }
    if (observer_ != nullptr) observer_->OnResponse(*ctx_, frame->size());
    responder_.Send(std::make_unique<KafkaFrame>(*std::move(frame)));
  }
  // For requests that expect no answer (Produce with acks=0).
  void NoResponse() {
    if (observer_ != nullptr) observer_->OnResponse(*ctx_, 0);
    responder_.NoResponse();
  }
  void Close(std::string reason) { responder_.CloseConnection(std::move(reason)); }
  const RequestContext& context() const { return *ctx_; }
  int16_t version() const { return ctx_->api_version(); }

 private:
  std::shared_ptr<RequestContext> ctx_;
  Responder responder_;
  RequestObserver* observer_;
};

// Base for handlers: decodes `Request`, then calls Handle().
template <typename RequestT, typename ResponseT>
class Handler : public ApiHandler {
 public:
  using Request = RequestT;
  using Response = ResponseT;

  int16_t api_key() const override { return Request::kApiKey; }
  std::string_view name() const override {
    std::string_view n = Request::kName;
    return n.substr(0, n.size() - std::string_view("Request").size());
  }
  int16_t min_version() const override { return Request::kLowestVersion; }
  int16_t max_version() const override { return Request::kHighestVersion; }

  void HandleFrame(std::shared_ptr<RequestContext> ctx, ByteReader body, Responder responder,
                   RequestObserver* observer) override {
    Request req;
    absl::Status s = req.Decode(body, ctx->api_version());
    if (!s.ok()) {
      // Kafka closes the connection on a request it cannot parse.
      LOG(WARNING) << "malformed " << name() << " v" << ctx->api_version() << " request from "
                   << ctx->conn.peer << " (client " << ctx->header.client_id.value_or("")
                   << "): " << s << "; closing the connection";
      responder.CloseConnection("malformed request");
      return;
    }
    Handle(ctx, std::move(req), Reply<Response>(ctx, std::move(responder), observer));
  }

 protected:
  // Answer through `reply` (now or later, from any thread).
  virtual void Handle(const std::shared_ptr<RequestContext>& ctx, Request req,
                      Reply<Response> reply) = 0;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_API_HANDLER_H_
