#include "controller/placement.h"

#include <algorithm>
#include <map>
#include <set>

#include "gtest/gtest.h"

namespace gregor::controller {
namespace {

std::vector<PlacementBroker> Brokers(int n, int racks) {
  std::vector<PlacementBroker> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({BrokerId(i + 1), racks == 0 ? "" : std::string(1, static_cast<char>('a' + i % racks))});
  }
  return out;
}

TEST(PlacementTest, RejectsBadArgumentsWithKafkasWording) {
  EXPECT_EQ(PlaceReplicas(Brokers(3, 0), 1, 4, 0).status().message(),
            "The target replication factor of 4 cannot be reached because only 3 broker(s) are unfenced.");
  EXPECT_EQ(PlaceReplicas(Brokers(3, 0), 1, 0, 0).status().message(),
            "Invalid replication factor 0. The replication factor must be positive.");
  EXPECT_EQ(PlaceReplicas(Brokers(3, 0), 0, 1, 0).status().message(),
            "Invalid number of partitions 0. The number of partitions must be positive.");
  EXPECT_FALSE(PlaceReplicas({}, 1, 1, 0).ok());
}

// For many cluster shapes: replicas distinct, racks distinct when possible,
// replica and leader counts balanced within one.
TEST(PlacementTest, IsRackAwareAndBalanced) {
  for (int n = 1; n <= 7; ++n) {
    for (int racks : {0, 1, 2, 3}) {
      for (int rf = 1; rf <= std::min(n, 3); ++rf) {
        for (int partitions : {1, 2, 5, 12, 30}) {
          for (uint64_t rotation : {0u, 3u}) {
            auto brokers = Brokers(n, racks);
            auto placed = PlaceReplicas(brokers, partitions, rf, rotation);
            ASSERT_TRUE(placed.ok()) << placed.status();
            ASSERT_EQ(placed->size(), static_cast<size_t>(partitions));
            std::map<BrokerId, int> replicas, leaders;
            for (const auto& p : *placed) {
              ASSERT_EQ(p.size(), static_cast<size_t>(rf));
              EXPECT_EQ(std::set<BrokerId>(p.begin(), p.end()).size(), p.size());
              std::set<std::string> used;
              for (BrokerId b : p) used.insert(brokers[b.value() - 1].rack);
              const int distinct_racks = std::max(1, std::min(racks, n));
              EXPECT_EQ(static_cast<int>(used.size()), std::min(rf, distinct_racks))
                  << "n=" << n << " racks=" << racks << " rf=" << rf;
              for (BrokerId b : p) ++replicas[b];
              ++leaders[p[0]];
            }
            // Balance is exact when racks do not constrain it (equal-sized racks).
            if (racks <= 1 || n % racks == 0) {
              int lo = partitions, hi = 0, llo = partitions, lhi = 0;
              for (int b = 1; b <= n; ++b) {
                lo = std::min(lo, replicas[BrokerId(b)]);
                hi = std::max(hi, replicas[BrokerId(b)]);
                llo = std::min(llo, leaders[BrokerId(b)]);
                lhi = std::max(lhi, leaders[BrokerId(b)]);
              }
              EXPECT_LE(hi - lo, 1) << "n=" << n << " racks=" << racks << " rf=" << rf
                                    << " partitions=" << partitions;
              EXPECT_LE(lhi - llo, 1) << "n=" << n << " racks=" << racks << " rf=" << rf
                                      << " partitions=" << partitions;
            }
          }
        }
      }
    }
  }
}

TEST(PlacementTest, ExistingLoadIsEvenedOut) {
  auto brokers = Brokers(3, 0);
  brokers[0].replicas = 10;
  brokers[0].leaders = 10;
  auto placed = PlaceReplicas(brokers, 4, 1, 0);
  ASSERT_TRUE(placed.ok());
  for (const auto& p : *placed) EXPECT_NE(p[0], BrokerId(1));
}

TEST(PlacementTest, IsDeterministic) {
  auto a = PlaceReplicas(Brokers(5, 2), 10, 3, 7);
  auto b = PlaceReplicas(Brokers(5, 2), 10, 3, 7);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace gregor::controller
