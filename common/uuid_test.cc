#include "common/uuid.h"

#include "gtest/gtest.h"

namespace gregor {
namespace {

TEST(UuidTest, Base64RoundTripIs22UrlSafeCharacters) {
  absl::BitGen gen;
  for (int i = 0; i < 1000; ++i) {
    Uuid u = Uuid::Random(gen);
    std::string s = u.ToBase64();
    ASSERT_EQ(s.size(), 22u);
    EXPECT_NE(s[0], '-');
    EXPECT_EQ(s.find_first_of("+/="), std::string::npos);
    auto back = Uuid::FromBase64(s);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, u);
  }
}

TEST(UuidTest, KnownValue) {
  Uuid u(0x0123456789abcdefull, 0xfedcba9876543210ull);
  EXPECT_EQ(u.ToHex(), "01234567-89ab-cdef-fedc-ba9876543210");
  EXPECT_EQ(u.ToBase64(), "ASNFZ4mrze_-3LqYdlQyEA");
  EXPECT_FALSE(Uuid::FromBase64("short").has_value());
  EXPECT_TRUE(Uuid().IsZero());
}

}  // namespace
}  // namespace gregor
