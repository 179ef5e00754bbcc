// What one broker knows best and the others do not: the offsets of the
// partitions it leads (high watermark, log end offset) and the consumer
// groups it coordinates. Every node's /api/cluster answers with the metadata
// it has (leaders, replicas, ISRs) plus these facts, collected from each
// broker's GET /api/cluster/local (see peer_fetch.h), so that whichever node
// a person opens /ui on, the page shows the whole cluster.
//
// Pure functions on plain values; thread-compatible.
#ifndef GREGOR_COMMON_UI_PEER_FACTS_H_
#define GREGOR_COMMON_UI_PEER_FACTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/strong_int.h"
#include "common/ui/cluster_view.h"

namespace gregor::ui {

struct PartitionFacts {
  std::string topic;
  PartitionId partition;
  Offset high_watermark;
  Offset log_end_offset;
};

struct PeerFacts {
  int32_t node = -1;  // the broker that reported them
  std::vector<PartitionFacts> partitions;  // partitions it leads
  std::vector<GroupView> groups;           // groups it coordinates
};

// Bounds on a peer's answer (it comes over the network).
inline constexpr size_t kMaxPeerFactsBytes = 8 << 20;
inline constexpr size_t kMaxPeerPartitions = 100'000;
inline constexpr size_t kMaxPeerGroups = 10'000;

// The facts of `local`: the partitions whose leader is local.served_by and
// whose offsets are known, and every group in `local`.
PeerFacts FactsOf(const ClusterView& local);

std::string PeerFactsToJson(const PeerFacts& facts);
// A clear error on anything that is not what PeerFactsToJson writes or that
// exceeds the bounds above.
absl::StatusOr<PeerFacts> PeerFactsFromJson(std::string_view text);

// Fills `view` from a peer's facts: the offsets of partitions that have no
// known offsets yet and that the peer leads in `view`'s metadata (a stale
// leader's facts are ignored), and the groups `view` does not have yet.
// Call once per peer, then FillGroupLogEnds.
void MergePeerFacts(const PeerFacts& facts, ClusterView* view);
// Sets each group offset's log_end_offset, when unknown, from the high
// watermark of the partition in `view` (the end a consumer can read, as
// Kafka's consumer-group tool reports it), so that lag is known for
// partitions another broker leads.
void FillGroupLogEnds(ClusterView* view);

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_PEER_FACTS_H_
