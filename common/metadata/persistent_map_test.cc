#include "common/metadata/persistent_map.h"

#include <map>
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace gregor::metadata {
namespace {

TEST(PersistentMapTest, StartsEmpty) {
  PersistentMap<int, int> m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.Find(1), nullptr);
  EXPECT_TRUE(m.begin() == m.end());
}

TEST(PersistentMapTest, SetReturnsNewMapAndLeavesOldOneUnchanged) {
  PersistentMap<int, std::string> a;
  auto b = a.Set(1, "one");
  auto c = b.Set(2, "two");
  auto d = c.Set(1, "uno");
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(*b.Find(1), "one");
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(*c.Find(1), "one");
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(*d.Find(1), "uno");
  EXPECT_EQ(*d.Find(2), "two");
}

TEST(PersistentMapTest, EraseOfAbsentKeyKeepsTheSameTree) {
  PersistentMap<int, int> m = PersistentMap<int, int>().Set(1, 1).Set(2, 2);
  EXPECT_TRUE(m.Erase(7).SameTreeAs(m));
  auto e = m.Erase(1);
  EXPECT_EQ(e.size(), 1u);
  EXPECT_EQ(e.Find(1), nullptr);
  EXPECT_EQ(*m.Find(1), 1);
}

TEST(PersistentMapTest, FindsStringKeysByStringView) {
  PersistentMap<std::string, int> m;
  m.Put("alpha", 1);
  m.Put("beta", 2);
  std::string_view key = "beta";
  ASSERT_NE(m.Find(key), nullptr);
  EXPECT_EQ(*m.Find(key), 2);
  EXPECT_FALSE(m.Contains(std::string_view("gamma")));
}

TEST(PersistentMapTest, IteratesInKeyOrder) {
  PersistentMap<int, int> m;
  for (int k : {5, 3, 9, 1, 7, 2, 8}) m.Put(k, k * 10);
  std::vector<int> keys;
  for (const auto& [k, v] : m) {
    keys.push_back(k);
    EXPECT_EQ(v, k * 10);
  }
  EXPECT_EQ(keys, (std::vector<int>{1, 2, 3, 5, 7, 8, 9}));
}

TEST(PersistentMapTest, UnchangedValuesAreSharedNotCopied) {
  PersistentMap<int, std::shared_ptr<const int>> m;
  for (int i = 0; i < 100; ++i) m.Put(i, std::make_shared<const int>(i));
  auto next = m.Set(50, std::make_shared<const int>(-1));
  for (int i = 0; i < 100; ++i) {
    if (i == 50) continue;
    EXPECT_EQ(m.Find(i)->get(), next.Find(i)->get()) << i;
  }
  EXPECT_NE(m.Find(50)->get(), next.Find(50)->get());
}

// Random operations checked against std::map, keeping every version alive
// and re-checking old versions at the end (persistence).
TEST(PersistentMapTest, MatchesStdMapUnderRandomOperations) {
  std::mt19937 rng(42);
  std::vector<std::pair<PersistentMap<int, int>, std::map<int, int>>> versions;
  PersistentMap<int, int> m;
  std::map<int, int> ref;
  for (int step = 0; step < 5000; ++step) {
    int key = static_cast<int>(rng() % 300);
    if (rng() % 3 == 0) {
      m = m.Erase(key);
      ref.erase(key);
    } else {
      int value = static_cast<int>(rng());
      m = m.Set(key, value);
      ref[key] = value;
    }
    ASSERT_EQ(m.size(), ref.size());
    if (step % 500 == 0) versions.push_back({m, ref});
  }
  versions.push_back({m, ref});
  for (const auto& [pm, sm] : versions) {
    ASSERT_EQ(pm.size(), sm.size());
    auto it = sm.begin();
    for (const auto& [k, v] : pm) {
      ASSERT_NE(it, sm.end());
      EXPECT_EQ(k, it->first);
      EXPECT_EQ(v, it->second);
      ++it;
    }
    EXPECT_EQ(it, sm.end());
  }
}

}  // namespace
}  // namespace gregor::metadata
