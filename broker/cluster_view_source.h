// What a broker answers at /api/cluster (the live cluster view, common/ui):
//   Metadata(): brokers, topics, partitions from the broker's metadata image,
//               and the controller quorum from DescribeQuorum (short timeout)
//   Local():    Metadata() plus what this broker knows best: the offsets of
//               the partitions it leads and the groups it coordinates
//   Full():     Local() plus every other broker's facts (GET /api/cluster/local)
// The timeline observer reads Metadata(); /api/cluster/local answers
// Local(); /api/cluster answers Full().
//
// Thread-safe: every method may run on any HTTP thread at once.
// Lifetime: the replica manager and the group coordinator (when given) must
// outlive this object.
#ifndef GREGOR_BROKER_CLUSTER_VIEW_SOURCE_H_
#define GREGOR_BROKER_CLUSTER_VIEW_SOURCE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/group/group_coordinator.h"
#include "broker/replica/replica_manager.h"
#include "common/clock.h"
#include "common/ui/cluster_view.h"
#include "controller/client/controller_client.h"

namespace gregor::broker {

struct ClusterViewSourceOptions {
  int32_t node_id = -1;
  std::vector<controller::client::Voter> voters;
  // Bounds on what one view may wait for (each view is one HTTP request).
  std::chrono::milliseconds quorum_timeout{500};
  std::chrono::milliseconds group_timeout{500};
  std::chrono::milliseconds peer_timeout{700};
};

class ClusterViewSource {
 public:
  // `groups` returns the group coordinator, or null before it exists.
  ClusterViewSource(ClusterViewSourceOptions options, const ReplicaManager* replicas,
                    std::function<group::GroupCoordinator*()> groups, Clock* clock);

  ui::ClusterView Metadata() const;
  ui::ClusterView Local() const;
  ui::ClusterView Full() const;

 private:
  void AddControllers(ui::ClusterView* view) const;
  void AddLocalOffsets(ui::ClusterView* view) const;
  void AddGroups(ui::ClusterView* view) const;

  const ClusterViewSourceOptions options_;
  const ReplicaManager* const replicas_;
  const std::function<group::GroupCoordinator*()> groups_;
  Clock* const clock_;
  // Its own client: short timeouts, so that a view never waits long for a
  // quorum that is electing a leader.
  std::unique_ptr<controller::client::ControllerClient> quorum_;
};

// Partitions in a consumer group member's assignment (Kafka's
// ConsumerProtocolAssignment: version, [topic, [partition]], user data);
// 0 when the bytes are not one.
int32_t AssignedPartitionCount(std::string_view assignment);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_CLUSTER_VIEW_SOURCE_H_
