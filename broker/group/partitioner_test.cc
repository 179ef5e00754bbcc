#include "broker/group/partitioner.h"

#include <limits>

#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

// Expected values are what Java's String.hashCode returns (computed from the
// UTF-16 code units by hand / with a reference implementation).
TEST(PartitionerTest, HashCodeMatchesJavaForAscii) {
  EXPECT_EQ(JavaStringHashCode(""), 0);
  EXPECT_EQ(JavaStringHashCode("hello"), 99162322);
  EXPECT_EQ(JavaStringHashCode("Aa"), 2112);
  EXPECT_EQ(JavaStringHashCode("BB"), 2112);
  EXPECT_EQ(JavaStringHashCode("g-java-console"), -1433504686);
}

TEST(PartitionerTest, HashCodeUsesUtf16CodeUnits) {
  EXPECT_EQ(JavaStringHashCode("\xC3\xA9"), 233);                // é = U+00E9
  EXPECT_EQ(JavaStringHashCode("\xF0\x9F\x98\x80"), 1772899);    // U+1F600 = D83D DE00
}

TEST(PartitionerTest, MalformedUtf8BecomesReplacementCharacter) {
  // "a\xFFb" decodes to "a\uFFFDb" in Java.
  EXPECT_EQ(JavaStringHashCode("a\xFF" "b"), 2124838);
  // A truncated 3-byte sequence is one U+FFFD, then the next character.
  EXPECT_EQ(JavaStringHashCode("\xE2\x82" "b"), JavaStringHashCode("\xEF\xBF\xBD" "b"));
}

TEST(PartitionerTest, PartitionIsAbsHashModuloPartitions) {
  EXPECT_EQ(PartitionForGroup("hello", 50), 22);
  EXPECT_EQ(PartitionForGroup("g-java-console", 50), 36);  // |-1433504686| % 50
  EXPECT_EQ(PartitionForGroup("console-consumer-group", 50), 48);
}

TEST(PartitionerTest, MinIntHashMapsToPartitionZero) {
  // "polygenelubricants".hashCode() == Integer.MIN_VALUE; Utils.abs gives 0.
  EXPECT_EQ(JavaStringHashCode("polygenelubricants"), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(PartitionForGroup("polygenelubricants", 50), 0);
  EXPECT_EQ(PartitionForGroup("polygenelubricants", 7), 0);
}

}  // namespace
}  // namespace gregor::broker::group
