#include "common/ui/http_routes.h"

#include <string>
#include <utility>

#include "common/ui/peer_facts.h"
#include "common/ui/peer_fetch.h"
#include "common/ui/ui.h"

namespace gregor::ui {

void AddClusterViewRoutes(http::HttpServer* server, std::function<ClusterView()> view,
                          EventTimeline* timeline, ClusterViewRoutesOptions options) {
  auto page = [](const http::HttpRequest&) {
    http::HttpResponse r;
    r.content_type = kPageContentType;
    r.body = std::string(ClusterViewPage());
    return r;
  };
  server->Get("/ui", page);
  server->Get("/ui/", page);
  server->Get("/api/cluster", [view = std::move(view), timeline, limits = options.limits,
                               observe = options.observe_on_request](const http::HttpRequest&) {
    ClusterView v = view();
    if (timeline != nullptr) {
      if (observe) timeline->Observe(v);
      timeline->Fill(&v);
    }
    Truncate(limits, &v);
    http::HttpResponse r;
    r.content_type = kJsonContentType;
    r.body = ToJsonString(v);
    return r;
  });
  if (options.local_view) {
    server->Get(kPeerFactsPath, [local = std::move(options.local_view)](const http::HttpRequest&) {
      http::HttpResponse r;
      r.content_type = kJsonContentType;
      r.body = PeerFactsToJson(FactsOf(local()));
      return r;
    });
  }
}

}  // namespace gregor::ui
