#include "proto/kafka/request_frame.h"

#include "absl/strings/str_cat.h"

namespace gregor::kafka {
namespace {

// Whether (key, version) uses flexible headers; versions above a known API's
// range take the flexibility of its highest version.
bool FlexibleHeaders(int16_t api_key, int16_t api_version) {
  const ApiInfo* api = FindApi(api_key);
  if (api == nullptr) return false;
  return api->IsFlexible(api_version);
}

}  // namespace

int16_t RequestHeaderVersion(int16_t api_key, int16_t api_version) {
  return FlexibleHeaders(api_key, api_version) ? 2 : 1;
}

int16_t ResponseHeaderVersion(int16_t api_key, int16_t api_version) {
  if (api_key == kApiVersionsKey) return 0;
  return FlexibleHeaders(api_key, api_version) ? 1 : 0;
}

absl::StatusOr<RequestFrame> ParseRequestFrame(std::string_view frame) {
  constexpr size_t kFixedHeader = 8;  // api key, api version, correlation id
  if (frame.size() < kFixedHeader) {
    return absl::InvalidArgumentError(
        absl::StrCat("request frame of ", frame.size(), " bytes is shorter than a request header"));
  }
  RequestFrame out;
  {
    ByteReader fixed(frame);
    out.header.request_api_key = fixed.ReadInt16();
    out.header.request_api_version = fixed.ReadInt16();
    out.header.correlation_id = fixed.ReadInt32();
  }
  const int16_t key = out.header.request_api_key;
  const int16_t version = out.header.request_api_version;
  out.api = FindApi(key);
  if (out.api == nullptr) {
    out.support = RequestSupport::kUnknownApi;
    return out;
  }
  out.support = out.api->Supports(version) ? RequestSupport::kSupported
                                           : RequestSupport::kUnsupportedVersion;
  ByteReader r(frame);
  RequestHeader header;
  absl::Status s = header.Decode(r, RequestHeaderVersion(key, version));
  if (!s.ok()) {
    if (out.support == RequestSupport::kSupported) return s;
    return out;  // unsupported anyway: the fixed fields are what matters
  }
  out.header = std::move(header);
  out.header_complete = true;
  out.body = frame.substr(r.position());
  return out;
}

namespace frame_internal {

void BeginResponse(WireWriter& w, int16_t api_key, int16_t api_version, int32_t correlation_id) {
  w.WriteInt32(0);  // size, patched by FinishFrame
  ResponseHeader header;
  header.correlation_id = correlation_id;
  header.Encode(w, ResponseHeaderVersion(api_key, api_version));
}

void BeginRequest(WireWriter& w, int16_t api_key, int16_t api_version, int32_t correlation_id,
                  const std::optional<std::string>& client_id) {
  w.WriteInt32(0);
  RequestHeader header;
  header.request_api_key = api_key;
  header.request_api_version = api_version;
  header.correlation_id = correlation_id;
  header.client_id = client_id;
  header.Encode(w, RequestHeaderVersion(api_key, api_version));
}

absl::StatusOr<OutputFrame> Finish(WireWriter& w) {
  if (!w.ok()) return w.status();
  if (w.size() - 4 > INT32_MAX) return absl::InvalidArgumentError("frame larger than 2 GiB");
  return std::move(w).FinishFrame();
}

}  // namespace frame_internal
}  // namespace gregor::kafka
