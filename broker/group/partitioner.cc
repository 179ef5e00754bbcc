#include "broker/group/partitioner.h"

#include <limits>

#include "glog/logging.h"

namespace gregor::broker::group {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

// Decodes the code point at `s[*i]`, advancing `*i`. Malformed input yields
// U+FFFD and advances past the longest valid prefix of the sequence (at least
// one byte), which is how Java's UTF-8 decoder replaces it.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int len;
  uint32_t cp;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    ++*i;
    return kReplacement;
  }
  size_t k = *i + 1;
  for (int n = 1; n < len; ++n, ++k) {
    uint8_t lower = n == 1 ? lo : 0x80;
    uint8_t upper = n == 1 ? hi : 0xBF;
    if (k >= s.size() || byte(k) < lower || byte(k) > upper) {
      *i = k;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  *i = k;
  return cp;
}

}  // namespace

int32_t JavaStringHashCode(std::string_view utf8) {
  uint32_t h = 0;  // Java's int arithmetic wraps; do it unsigned.
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp = NextCodePoint(utf8, &i);
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      h = 31 * h + (0xD800 + (v >> 10));
      h = 31 * h + (0xDC00 + (v & 0x3FF));
    } else {
      h = 31 * h + cp;
    }
  }
  return static_cast<int32_t>(h);
}

int32_t PartitionForGroup(std::string_view group_id, int32_t num_partitions) {
  CHECK_GT(num_partitions, 0);
  int32_t h = JavaStringHashCode(group_id);
  int32_t abs = h == std::numeric_limits<int32_t>::min() ? 0 : (h < 0 ? -h : h);
  return abs % num_partitions;
}

}  // namespace gregor::broker::group
