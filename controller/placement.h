// Replica placement for new partitions: rack-aware and balanced.
//
// Rules, in priority order, for each new partition:
//   1. the replicas are distinct brokers, taken only from `brokers` (the
//      caller passes unfenced brokers that are not shutting down);
//   2. rack diversity: every replica goes to a rack holding the fewest
//      replicas of this partition so far, so with R racks and replication
//      factor <= R every replica is in a different rack;
//   3. the leader (first replica) is the broker leading the fewest
//      partitions, then the one whose rack leads the fewest, then the one
//      holding the fewest replicas;
//   4. followers go to the brokers holding the fewest replicas.
// Counts start from the load the caller passes (the partitions that exist
// already), so placement balances the whole cluster, not only this request.
// Remaining ties go to a rotation of the broker list that starts at
// `rotation`, so equal clusters do not always fill the same broker first.
//
// Pure and deterministic: the same input gives the same output.
#ifndef GREGOR_CONTROLLER_PLACEMENT_H_
#define GREGOR_CONTROLLER_PLACEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/strong_int.h"

namespace gregor::controller {

struct PlacementBroker {
  BrokerId id;
  std::string rack;  // "" counts as one rack of its own
  int64_t replicas = 0;  // replicas it already holds
  int64_t leaders = 0;   // partitions it already leads (preferred leaders)
};

// Returns `num_partitions` replica lists of `replication_factor` brokers each,
// the preferred leader first. InvalidArgument (with Kafka's wording) when
// replication_factor or num_partitions is not positive or replication_factor
// exceeds the number of brokers.
absl::StatusOr<std::vector<std::vector<BrokerId>>> PlaceReplicas(std::vector<PlacementBroker> brokers,
                                                                 int32_t num_partitions,
                                                                 int32_t replication_factor,
                                                                 uint64_t rotation);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_PLACEMENT_H_
