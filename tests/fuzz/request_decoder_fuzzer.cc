// libFuzzer target for the Kafka request decoder: the bytes of one request
// frame (after the size prefix) go through ParseRequestFrame and, for a
// supported API and version, the generated decoder. Besides "no crash, no
// memory error" (ASan), it checks the codec's round-trip property on every
// request that decodes: encode(decode(x)) decodes again, consuming exactly
// its bytes, and encodes to the same bytes; the header likewise.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "proto/kafka/messages/all_apis.h"
#include "proto/kafka/request_frame.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::kafka::fuzz {

// Requests that decoded (and passed the round trip); read by the smoke test.
std::atomic<int64_t> g_decoded_requests{0};

namespace {

[[noreturn]] void Die(const char* what, std::string_view name, int16_t version) {
  std::fprintf(stderr, "request_decoder_fuzzer: %s (%.*s v%d)\n", what,
               static_cast<int>(name.size()), name.data(), version);
  std::abort();
}

template <typename M>
std::string EncodeOrDie(const M& m, int16_t version) {
  WireWriter w;
  m.Encode(w, version);
  if (!w.ok()) Die("re-encoding a decoded message failed", M::kName, version);
  absl::StatusOr<std::string> bytes = std::move(w).Finish().Flatten();
  if (!bytes.ok()) Die("flattening failed", M::kName, version);
  return *std::move(bytes);
}

// encode(decode(x)) must decode, consuming every byte, to a message that
// encodes to the same bytes again. (Compared as bytes, not with ==: a NaN
// float64 survives bit for bit but never equals itself.)
template <typename M>
void CheckRoundTrip(const M& decoded, int16_t version) {
  std::string bytes = EncodeOrDie(decoded, version);
  ByteReader r(bytes);
  M again;
  if (!again.Decode(r, version).ok()) Die("decode(encode(x)) failed", M::kName, version);
  if (r.remaining() != 0) Die("decode(encode(x)) left bytes", M::kName, version);
  if (EncodeOrDie(again, version) != bytes) Die("encode(decode(encode(x))) != encode(x)", M::kName, version);
}

template <typename Request>
void DecodeBody(const RequestFrame& frame) {
  const int16_t version = frame.header.request_api_version;
  Request req;
  ByteReader r(frame.body);
  if (!req.Decode(r, version).ok()) return;
  CheckRoundTrip(req, version);
  g_decoded_requests.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace
}  // namespace gregor::kafka::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gregor::kafka;  // NOLINT
  absl::StatusOr<RequestFrame> frame =
      ParseRequestFrame(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!frame.ok() || !frame->header_complete) return 0;
  const int16_t key = frame->header.request_api_key;
  const int16_t version = frame->header.request_api_version;
  fuzz::CheckRoundTrip(frame->header, RequestHeaderVersion(key, version));
  if (frame->support != RequestSupport::kSupported) return 0;
  VisitApi(key, [&](auto types) {
    fuzz::DecodeBody<typename decltype(types)::Request>(*frame);
  });
  return 0;
}
