// What a controller answers at /api/cluster (the live cluster view,
// common/ui): the quorum from its own Raft status (every voter's lag when it
// is the leader), brokers, topics and partitions from its committed image.
// The brokers' offsets and groups are merged in by the HTTP layer
// (common/ui/peer_fetch.h).
#ifndef GREGOR_CONTROLLER_SERVICE_CLUSTER_VIEW_H_
#define GREGOR_CONTROLLER_SERVICE_CLUSTER_VIEW_H_

#include <map>
#include <string>

#include "common/clock.h"
#include "common/ui/cluster_view.h"
#include "controller/metadata_log.h"
#include "controller/quorum_controller.h"

namespace gregor::controller {

// The quorum part from one node's Raft status (pure). `addresses` maps voter
// ids to host:port.
void AddQuorum(const NodeStatus& status, const std::map<NodeId, std::string>& addresses,
               ui::ClusterView* view);

// Thread-safe (reads the controller's committed image and Raft status).
ui::ClusterView ControllerClusterView(const QuorumController& quorum, const MetadataLog& log,
                                      Clock* clock);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_SERVICE_CLUSTER_VIEW_H_
