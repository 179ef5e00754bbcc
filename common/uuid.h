// A 16-byte UUID as Kafka uses it for topic ids, incarnation ids and the
// cluster id: shown as URL-safe base64 without padding (22 characters).
#ifndef GREGOR_COMMON_UUID_H_
#define GREGOR_COMMON_UUID_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"

namespace gregor {

class Uuid {
 public:
  constexpr Uuid() = default;
  constexpr Uuid(uint64_t hi, uint64_t lo) : hi_(hi), lo_(lo) {}

  // A random version-4 UUID that is never zero and, as in Kafka, whose base64
  // form never starts with '-'.
  static Uuid Random(absl::BitGenRef gen);
  // Parses the 22-character base64 form.
  static std::optional<Uuid> FromBase64(std::string_view s);
  // Packs/unpacks the 16 big-endian bytes.
  static Uuid FromBytes(const uint8_t bytes[16]);
  void ToBytes(uint8_t out[16]) const;

  std::string ToBase64() const;
  // 8-4-4-4-12 hex form.
  std::string ToHex() const;

  uint64_t hi() const { return hi_; }
  uint64_t lo() const { return lo_; }
  bool IsZero() const { return hi_ == 0 && lo_ == 0; }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const Uuid& u) {
    return H::combine(std::move(h), u.hi_, u.lo_);
  }

 private:
  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
};

}  // namespace gregor

#endif  // GREGOR_COMMON_UUID_H_
