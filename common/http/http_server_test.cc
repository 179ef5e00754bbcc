#include "common/http/http_server.h"

#include "gtest/gtest.h"
#include "httplib.h"

namespace gregor::http {
namespace {

TEST(HttpServerTest, ServesRegisteredPathsAndQueryParameters) {
  HttpServer s;
  s.Get("/metrics", [](const HttpRequest&) { return HttpResponse{.body = "up 1\n"}; });
  s.Get("/echo", [](const HttpRequest& r) {
    auto it = r.params.find("x");
    return HttpResponse{.content_type = "application/json",
                        .body = it == r.params.end() ? "none" : it->second};
  });
  ASSERT_TRUE(s.Start("127.0.0.1", 0).ok());
  httplib::Client c("127.0.0.1", s.port());
  auto r = c.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "up 1\n");
  auto e = c.Get("/echo?x=abc");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->body, "abc");
  EXPECT_EQ(e->get_header_value("Content-Type"), "application/json");
  auto missing = c.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  s.Stop();
}

}  // namespace
}  // namespace gregor::http
