// RoundTripCheck<M>: the round-trip property every generated message must
// have, as a function the tests call for each type. The generated test
// values library instantiates it for every message type (spread over its
// shards, so no single test translation unit compiles all of them).
//
// A message M filled with FillTestValues(m, version, variant) must encode
// without error, decode back to an equal message consuming exactly the
// encoded bytes, and re-encode to the same bytes.
#ifndef GREGOR_PROTO_KAFKA_ROUND_TRIP_CHECK_H_
#define GREGOR_PROTO_KAFKA_ROUND_TRIP_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/bytes.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::kafka::testing {

// Encodes `m` as `version` into *out; returns an error message or "".
template <typename M>
std::string EncodeForTest(const M& m, int16_t version, std::string* out) {
  WireWriter w;
  m.Encode(w, version);
  if (!w.ok()) return "encode failed: " + std::string(w.status().message());
  absl::StatusOr<std::string> bytes = std::move(w).Finish().Flatten();
  if (!bytes.ok()) return "flatten failed: " + std::string(bytes.status().message());
  *out = *std::move(bytes);
  return "";
}

// Returns what went wrong for (version, variant), or "" when the round trip
// holds. REQUIRES: FillTestValues(M&, int16_t, int) is declared before the
// instantiation (proto/kafka/messages/test_values.h).
template <typename M>
std::string RoundTripCheck(int16_t version, int variant) {
  M original;
  FillTestValues(original, version, variant);
  std::string bytes, default_bytes, again;
  if (std::string e = EncodeForTest(original, version, &bytes); !e.empty()) return e;
  if (std::string e = EncodeForTest(M(), version, &default_bytes); !e.empty()) return "default " + e;
  // Variant 0 puts an unknown tagged field in every flexible struct; a
  // non-flexible version without fields encodes to nothing.
  if (variant == 0 && !default_bytes.empty() && original == M()) {
    return "test values left every field at its default";
  }
  ByteReader r(bytes);
  M decoded;
  if (absl::Status s = decoded.Decode(r, version); !s.ok()) {
    return "decode failed: " + std::string(s.message());
  }
  if (r.remaining() != 0) return "decode left " + std::to_string(r.remaining()) + " bytes unread";
  if (!(decoded == original)) return "decoded message differs from the encoded one";
  if (std::string e = EncodeForTest(decoded, version, &again); !e.empty()) return "re-" + e;
  if (again != bytes) return "re-encoding changed the bytes";
  return "";
}

}  // namespace gregor::kafka::testing

#endif  // GREGOR_PROTO_KAFKA_ROUND_TRIP_CHECK_H_
