// Request and response frames: the framing around generated message bodies.
//
//   request frame:  int32 size | request header (v1, or v2 when the API
//                   version is flexible) | request body
//   response frame: int32 size | response header (v0, or v1 when flexible;
//                   always v0 for ApiVersions) | response body
//
// ParseRequestFrame reads the header of a request even when the API key is
// unknown or the version unsupported, so the server can answer
// UNSUPPORTED_VERSION (ApiVersions) or close the connection with a log line.
// Pure functions, thread-safe.
#ifndef GREGOR_PROTO_KAFKA_REQUEST_FRAME_H_
#define GREGOR_PROTO_KAFKA_REQUEST_FRAME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/bytes.h"
#include "proto/kafka/messages/api_table.h"
#include "proto/kafka/messages/headers.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::kafka {

inline constexpr int16_t kApiVersionsKey = 18;

// Header versions for (api_key, api_version). For an API the codec does not
// know, the classic headers (request v1, response v0). For a known API at a
// version above its range the flexibility of its highest version is assumed
// (a version never stops being flexible).
int16_t RequestHeaderVersion(int16_t api_key, int16_t api_version);
int16_t ResponseHeaderVersion(int16_t api_key, int16_t api_version);

enum class RequestSupport {
  kSupported,           // known API, version within the codec's range
  kUnknownApi,          // the codec does not know the API key
  kUnsupportedVersion,  // known API, version outside the codec's range
};

struct RequestFrame {
  // The API key, version and correlation id are always set. The client id
  // and header tagged fields are set when the whole header parsed, which is
  // always the case for kSupported.
  RequestHeader header;
  RequestSupport support = RequestSupport::kSupported;
  bool header_complete = false;
  // The API's entry; nullptr for kUnknownApi.
  const ApiInfo* api = nullptr;
  // The bytes after the header (a view into the frame) when header_complete.
  std::string_view body;
};

// Parses the request header at the start of `frame` (the bytes after the
// size prefix). Fails only when fewer than 8 bytes are present (no api key,
// version and correlation id) or when the header of a supported request is
// malformed. REQUIRES: `frame` outlives the returned body view.
absl::StatusOr<RequestFrame> ParseRequestFrame(std::string_view frame);

// Decodes the body of a parsed, supported request as Request.
template <typename Request>
absl::Status DecodeRequestBody(const RequestFrame& frame, Request* out) {
  if (frame.header.request_api_key != Request::kApiKey) {
    return absl::InvalidArgumentError("request body decoded as the wrong API");
  }
  if (!frame.header_complete) return absl::InvalidArgumentError("request header incomplete");
  ByteReader r(frame.body);
  return out->Decode(r, frame.header.request_api_version);
}

namespace frame_internal {
// Writes the size placeholder and a response header for (key, version).
void BeginResponse(WireWriter& w, int16_t api_key, int16_t api_version, int32_t correlation_id);
void BeginRequest(WireWriter& w, int16_t api_key, int16_t api_version, int32_t correlation_id,
                  const std::optional<std::string>& client_id);
absl::StatusOr<OutputFrame> Finish(WireWriter& w);
}  // namespace frame_internal

// A whole response frame: size, header, `body` encoded as `api_version`.
// Record data in `body` is referenced, not copied (see WireWriter).
template <typename Response>
absl::StatusOr<OutputFrame> EncodeResponseFrame(int32_t correlation_id, int16_t api_version,
                                                const Response& body) {
  WireWriter w;
  frame_internal::BeginResponse(w, Response::kApiKey, api_version, correlation_id);
  body.Encode(w, api_version);
  return frame_internal::Finish(w);
}

// A whole request frame (for tests, tools and clients).
template <typename Request>
absl::StatusOr<OutputFrame> EncodeRequestFrame(int32_t correlation_id,
                                               const std::optional<std::string>& client_id,
                                               int16_t api_version, const Request& body) {
  WireWriter w;
  frame_internal::BeginRequest(w, Request::kApiKey, api_version, correlation_id, client_id);
  body.Encode(w, api_version);
  return frame_internal::Finish(w);
}

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_REQUEST_FRAME_H_
