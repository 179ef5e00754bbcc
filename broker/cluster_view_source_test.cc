#include "broker/cluster_view_source.h"

#include <string>
#include <vector>

#include "common/bytes.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

std::string Assignment(const std::vector<std::pair<std::string, std::vector<int32_t>>>& topics) {
  ByteWriter w;
  w.WriteInt16(1);  // version
  w.WriteInt32(static_cast<int32_t>(topics.size()));
  for (const auto& [name, partitions] : topics) {
    w.WriteInt16(static_cast<int16_t>(name.size()));
    w.WriteBytes(name);
    w.WriteInt32(static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) w.WriteInt32(p);
  }
  w.WriteInt32(-1);  // user data: null
  return w.Release();
}

TEST(AssignedPartitionCountTest, CountsThePartitionsOfEveryTopic) {
  EXPECT_EQ(AssignedPartitionCount(Assignment({{"orders", {0, 2}}, {"audit", {1}}})), 3);
  EXPECT_EQ(AssignedPartitionCount(Assignment({})), 0);
}

TEST(AssignedPartitionCountTest, AnythingElseCountsAsNone) {
  const std::string good = Assignment({{"orders", {0, 1, 2}}});
  EXPECT_EQ(AssignedPartitionCount(""), 0);  // a member before SyncGroup
  for (size_t cut = 1; cut < good.size() - 4; ++cut) {
    EXPECT_EQ(AssignedPartitionCount(good.substr(0, cut)), 0) << cut;
  }
  std::string huge = good;
  huge[2] = 0x7f;  // topic count far beyond the bytes present
  EXPECT_EQ(AssignedPartitionCount(huge), 0);
  std::string negative = good;
  negative[good.size() - 4 - 12 - 4] = static_cast<char>(0xff);  // partition count < 0
  EXPECT_EQ(AssignedPartitionCount(negative), 0);
}

}  // namespace
}  // namespace gregor::broker
