// The I/O edge of peer_facts.h: asks brokers for their facts over HTTP
// (GET /api/cluster/local, which AddClusterViewRoutes serves when given a
// local view) and merges the answers into a view.
//
// Thread-safe (no shared state); blocks the calling thread for at most about
// `timeout` (the peers are asked in parallel).
#ifndef GREGOR_COMMON_UI_PEER_FETCH_H_
#define GREGOR_COMMON_UI_PEER_FETCH_H_

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ui/cluster_view.h"
#include "common/ui/peer_facts.h"

namespace gregor::ui {

inline constexpr char kPeerFactsPath[] = "/api/cluster/local";
// At most this many peers are asked per view (the rest keep unknown offsets).
inline constexpr size_t kMaxPeersAsked = 32;

// GET http://<address>/api/cluster/local; address is host:port.
absl::StatusOr<PeerFacts> FetchPeerFacts(const std::string& address,
                                         std::chrono::milliseconds timeout);

// Asks every unfenced broker of `view` with an http_address (except
// view->served_by, whose facts the view already has) in parallel, merges
// what answers in time (MergePeerFacts) and then FillGroupLogEnds. Returns
// how many peers answered.
int MergeFactsFromPeers(ClusterView* view, std::chrono::milliseconds timeout);

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_PEER_FETCH_H_
