// The live cluster view page, embedded in the binaries at build time.
//
// Every broker and controller serves it at GET /ui; the page reads
// GET /api/cluster (a ClusterView as JSON, common/ui/cluster_view.h) from the
// same origin once a second. The page's sources are common/ui/page/
// (index.html, cluster_view.css, cluster_view.js); embed_page.py inlines the
// CSS and JS into the HTML and turns it into a C++ constant.
#ifndef GREGOR_COMMON_UI_UI_H_
#define GREGOR_COMMON_UI_UI_H_

#include <string_view>

namespace gregor::ui {

// The whole page (HTML with its CSS and JS inline). Static storage; never
// empty. Thread-safe.
std::string_view ClusterViewPage();

// Content type of ClusterViewPage().
inline constexpr char kPageContentType[] = "text/html; charset=utf-8";
// Content type of /api/cluster.
inline constexpr char kJsonContentType[] = "application/json";

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_UI_H_
