#include "common/ui/http_routes.h"

#include <atomic>
#include <string>

#include "common/ui/ui.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace gregor::ui {
namespace {

TEST(ClusterViewPageTest, IsOneSelfContainedPageThatPollsTheApi) {
  const std::string page(ClusterViewPage());
  EXPECT_NE(page.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_NE(page.find("\"/api/cluster\""), std::string::npos);
  // Inlined, not linked: nothing else to fetch, nothing from another origin.
  EXPECT_EQ(page.find("src=\"cluster_view.js\""), std::string::npos);
  EXPECT_EQ(page.find("href=\"cluster_view.css\""), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_NE(page.rfind("</html>"), std::string::npos);
}

ClusterView Leader(int32_t leader, int64_t ms) {
  ClusterView v;
  v.generated_ms = ms;
  v.served_by = 7;
  v.served_by_role = "controller";
  PartitionView p;
  p.leader = BrokerId(leader);
  p.replicas = {BrokerId(1), BrokerId(2)};
  p.isr = {BrokerId(leader)};
  v.topics.push_back({.name = "t", .partitions = {p}});
  return v;
}

TEST(ClusterViewRoutesTest, ServesThePageAndTheJsonWithTimelineEvents) {
  http::HttpServer server;
  EventTimeline timeline;
  std::atomic<int> calls{0};
  AddClusterViewRoutes(
      &server, [&] { return ++calls == 1 ? Leader(1, 100) : Leader(2, 200); }, &timeline);
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  httplib::Client c("127.0.0.1", server.port());

  for (const char* path : {"/ui", "/ui/"}) {
    auto page = c.Get(path);
    ASSERT_TRUE(page) << path;
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Type"), kPageContentType);
    EXPECT_EQ(page->body, std::string(ClusterViewPage()));
  }

  auto first = c.Get("/api/cluster");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->get_header_value("Content-Type"), kJsonContentType);
  auto j1 = nlohmann::json::parse(first->body);
  EXPECT_EQ(j1["served_by"], 7);
  EXPECT_TRUE(j1["events"].empty());

  auto second = c.Get("/api/cluster");
  ASSERT_TRUE(second);
  auto j2 = nlohmann::json::parse(second->body);
  EXPECT_EQ(j2["topics"][0]["partitions"][0]["leader"], 2);
  ASSERT_EQ(j2["events"].size(), 3u);  // ISR {1} -> {2}: 1 out, 2 in
  EXPECT_EQ(j2["events"][0]["kind"], "leader_election");
  EXPECT_EQ(j2["events"][0]["time_ms"], 200);
  EXPECT_EQ(j2["events"][1]["kind"], "isr_shrink");
  EXPECT_EQ(j2["events"][2]["kind"], "isr_expand");
  server.Stop();
}

TEST(ClusterViewRoutesTest, AppliesTheLimits) {
  http::HttpServer server;
  ClusterViewRoutesOptions options;
  options.limits.max_partitions = 0;
  AddClusterViewRoutes(&server, [] { return Leader(1, 1); }, nullptr, options);
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  httplib::Client c("127.0.0.1", server.port());
  auto r = c.Get("/api/cluster");
  ASSERT_TRUE(r);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_TRUE(j["topics"].empty());
  EXPECT_EQ(j["truncated"], true);
  server.Stop();
}

}  // namespace
}  // namespace gregor::ui
