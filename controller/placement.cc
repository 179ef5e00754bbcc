#include "controller/placement.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gregor::controller {

absl::StatusOr<std::vector<std::vector<BrokerId>>> PlaceReplicas(std::vector<PlacementBroker> brokers,
                                                                 int32_t num_partitions,
                                                                 int32_t replication_factor,
                                                                 uint64_t rotation) {
  if (replication_factor <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid replication factor ", replication_factor,
                                                   ". The replication factor must be positive."));
  }
  if (num_partitions <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid number of partitions ", num_partitions,
                                                   ". The number of partitions must be positive."));
  }
  if (brokers.empty()) {
    return absl::InvalidArgumentError("All brokers are currently fenced or in controlled shutdown.");
  }
  if (static_cast<size_t>(replication_factor) > brokers.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "The target replication factor of ", replication_factor,
        " cannot be reached because only ", brokers.size(), " broker(s) are unfenced."));
  }
  // Sort by id so that the rotation is independent of the caller's order.
  std::sort(brokers.begin(), brokers.end(),
            [](const PlacementBroker& a, const PlacementBroker& b) { return a.id < b.id; });
  const size_t n = brokers.size();
  std::vector<size_t> tie(n);
  for (size_t i = 0; i < n; ++i) tie[i] = (i + n - rotation % n) % n;
  std::map<std::string, int64_t> rack_leaders;
  for (const auto& b : brokers) rack_leaders[b.rack] += b.leaders;

  std::vector<std::vector<BrokerId>> out;
  out.reserve(num_partitions);
  std::vector<bool> chosen(n);
  for (int32_t p = 0; p < num_partitions; ++p) {
    std::fill(chosen.begin(), chosen.end(), false);
    std::map<std::string, int> rack_use;  // replicas of this partition per rack
    std::vector<BrokerId> replicas;
    // Leader.
    size_t best = n;
    for (size_t i = 0; i < n; ++i) {
      auto key = [&](size_t j) {
        return std::make_tuple(brokers[j].leaders, rack_leaders[brokers[j].rack], brokers[j].replicas,
                               tie[j]);
      };
      if (best == n || key(i) < key(best)) best = i;
    }
    auto take = [&](size_t i) {
      chosen[i] = true;
      ++rack_use[brokers[i].rack];
      ++brokers[i].replicas;
      replicas.push_back(brokers[i].id);
    };
    take(best);
    ++brokers[best].leaders;
    ++rack_leaders[brokers[best].rack];
    // Followers.
    for (int32_t r = 1; r < replication_factor; ++r) {
      best = n;
      for (size_t i = 0; i < n; ++i) {
        if (chosen[i]) continue;
        auto key = [&](size_t j) {
          // Among equally loaded brokers prefer one that leads more: the
          // others will be picked as leaders soon and need the room.
          return std::make_tuple(rack_use[brokers[j].rack], brokers[j].replicas, -brokers[j].leaders,
                                 tie[j]);
        };
        if (best == n || key(i) < key(best)) best = i;
      }
      take(best);
    }
    out.push_back(std::move(replicas));
  }
  return out;
}

}  // namespace gregor::controller
