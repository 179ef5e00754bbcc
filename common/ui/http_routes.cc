#include "common/ui/http_routes.h"

#include <string>
#include <utility>

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
  server->Get("/api/cluster", [view = std::move(view), timeline,
                               limits = options.limits](const http::HttpRequest&) {
    ClusterView v = view();
    if (timeline != nullptr) {
      timeline->Observe(v);
      timeline->Fill(&v);
    }
    Truncate(limits, &v);
    http::HttpResponse r;
    r.content_type = kJsonContentType;
    r.body = ToJsonString(v);
    return r;
  });
}

}  // namespace gregor::ui
