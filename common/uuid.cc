#include "common/uuid.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "common/bytes.h"

namespace gregor {

Uuid Uuid::Random(absl::BitGenRef gen) {
  while (true) {
    uint64_t hi = absl::Uniform<uint64_t>(gen);
    uint64_t lo = absl::Uniform<uint64_t>(gen);
    hi = (hi & ~0xF000ull) | 0x4000ull;                      // version 4
    lo = (lo & ~(0xC0ull << 56)) | (0x80ull << 56);          // IETF variant
    Uuid u(hi, lo);
    if (u.IsZero()) continue;
    if (u.ToBase64()[0] == '-') continue;  // Kafka avoids ids that look like flags
    return u;
  }
}

Uuid Uuid::FromBytes(const uint8_t bytes[16]) { return Uuid(LoadBE64(bytes), LoadBE64(bytes + 8)); }

void Uuid::ToBytes(uint8_t out[16]) const {
  StoreBE64(out, hi_);
  StoreBE64(out + 8, lo_);
}

std::string Uuid::ToBase64() const {
  uint8_t b[16];
  ToBytes(b);
  return absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(b), 16));
}

std::optional<Uuid> Uuid::FromBase64(std::string_view s) {
  if (s.size() != 22) return std::nullopt;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(absl::string_view(s.data(), s.size()), &raw) || raw.size() != 16) return std::nullopt;
  return FromBytes(reinterpret_cast<const uint8_t*>(raw.data()));
}

std::string Uuid::ToHex() const {
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi_ >> 32, (hi_ >> 16) & 0xFFFF,
                         hi_ & 0xFFFF, lo_ >> 48, lo_ & 0xFFFFFFFFFFFFull);
}

}  // namespace gregor
