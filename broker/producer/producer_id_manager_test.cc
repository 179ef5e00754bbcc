#include "broker/producer/producer_id_manager.h"

#include <set>
#include <thread>

#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

TEST(ProducerIdManagerTest, HandsOutUniqueIdsAcrossBlocks) {
  ThreadPool pool(1, 16);
  int64_t next_start = 1000;
  int calls = 0;
  ProducerIdManager m(
      [&]() -> absl::StatusOr<ProducerIdBlock> {
        ++calls;
        ProducerIdBlock b{next_start, 10};
        next_start += 10;
        return b;
      },
      &pool);
  std::set<int64_t> ids;
  for (int i = 0; i < 35;) {
    std::optional<int64_t> id = m.Next();
    if (!id.has_value()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    EXPECT_TRUE(ids.insert(*id).second) << *id;
    ++i;
  }
  EXPECT_EQ(*ids.begin(), 1000);
  EXPECT_GE(calls, 4);
}

TEST(ProducerIdManagerTest, SaysNotYetWhileTheControllerIsUnreachable) {
  ThreadPool pool(1, 16);
  ProducerIdManager m([]() -> absl::StatusOr<ProducerIdBlock> {
    return absl::UnavailableError("no controller");
  }, &pool);
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(m.Next().has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace
}  // namespace gregor::broker
