// The part of a ClusterView every node reads from its metadata image:
// brokers (registration, fencing) and topics with their partitions (leader,
// replicas, ISR). Offsets and groups come from the brokers (peer_facts.h),
// controllers from the Raft status of the node answering.
//
// Pure; thread-compatible.
#ifndef GREGOR_COMMON_UI_METADATA_VIEW_H_
#define GREGOR_COMMON_UI_METADATA_VIEW_H_

#include "common/metadata/image.h"
#include "common/ui/cluster_view.h"

namespace gregor::ui {

// Appends the image's brokers (by id) and topics (by name) to `view`.
// Partitions beyond `max_partitions` (summed over topics) are left out and
// set view->truncated.
void AddMetadata(const metadata::MetadataImage& image, ClusterView* view,
                 size_t max_partitions = ClusterViewLimits().max_partitions);

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_METADATA_VIEW_H_
