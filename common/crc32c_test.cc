#include "common/crc32c.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace gregor {
namespace {

TEST(Crc32cTest, MatchesKnownVectors) {
  // RFC 3720 (iSCSI) test vectors.
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::string ones(32, '\xFF');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, HardwareAndPortableAgreeOnAllLengthsAndSplits) {
  std::mt19937 rng(7);
  std::string data(3 * 4096 * 2 + 77, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (size_t len : {0ul, 1ul, 7ul, 8ul, 9ul, 4095ul, 12288ul, 12289ul, data.size()}) {
    uint32_t p = crc32c_internal::ExtendPortable(0, data.data(), len);
    EXPECT_EQ(crc32c_internal::ExtendHardware(0, data.data(), len), p) << len;
    EXPECT_EQ(Crc32c(data.data(), len), p) << len;
    for (size_t split : {size_t{0}, len / 3, len}) {
      uint32_t a = Crc32cExtend(0, data.data(), split);
      EXPECT_EQ(Crc32cExtend(a, data.data() + split, len - split), p) << len << "/" << split;
    }
  }
}

}  // namespace
}  // namespace gregor
