// Wires the cluster view into a node's HTTP server (common/http):
//   GET /ui, /ui/       the page (ClusterViewPage())
//   GET /api/cluster    ToJsonString(view()) with view()'s events filled
//                       from `timeline` when one is given
//   GET /api/cluster/local  (brokers) PeerFactsToJson(FactsOf(local_view())):
//                       what other nodes merge into their views (peer_fetch.h)
// A node that serves HTTP with its own httplib server instead can do the
// same in three lines with ClusterViewPage() and ToJsonString().
#ifndef GREGOR_COMMON_UI_HTTP_ROUTES_H_
#define GREGOR_COMMON_UI_HTTP_ROUTES_H_

#include <functional>

#include "common/http/http_server.h"
#include "common/ui/cluster_view.h"
#include "common/ui/event_timeline.h"

namespace gregor::ui {

struct ClusterViewRoutesOptions {
  ClusterViewLimits limits;
  // Observe() each answered view into the timeline. Off when a
  // TimelineObserver feeds the timeline (views built two ways would differ).
  bool observe_on_request = true;
  // When set, GET /api/cluster/local answers this node's facts.
  std::function<ClusterView()> local_view;
};

// `view` runs on the HTTP server's threads for each /api/cluster request and
// must be thread-safe. When `timeline` is not null, each request first
// Observe()s the view (see observe_on_request), then fills its events from
// the timeline. `timeline`
// must outlive `server`. REQUIRES: before server->Start().
void AddClusterViewRoutes(http::HttpServer* server, std::function<ClusterView()> view,
                          EventTimeline* timeline, ClusterViewRoutesOptions options = {});

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_HTTP_ROUTES_H_
