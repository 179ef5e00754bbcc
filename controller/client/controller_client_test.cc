#include "controller/client/controller_client.h"

#include "gtest/gtest.h"

namespace gregor::controller::client {
namespace {

TEST(ParseQuorumVotersTest, ParsesKafkasForm) {
  auto v = ParseQuorumVoters("1@localhost:9093, 2@127.0.0.1:9094,3@c3:9095");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0].id, NodeId(1));
  EXPECT_EQ((*v)[0].address, "localhost:9093");
  EXPECT_EQ((*v)[2].address, "c3:9095");
}

TEST(ParseQuorumVotersTest, RejectsBadForms) {
  for (const char* bad : {"", "1@", "x@h:1", "0@h:1", "1@host", "1@h:1,1@h:2", "h:1"}) {
    EXPECT_FALSE(ParseQuorumVoters(bad).ok()) << bad;
  }
}

TEST(ControllerClientTest, GivesUpWithDeadlineExceededWhenNobodyAnswers) {
  ControllerClientOptions o;
  o.voters = {{NodeId(1), "127.0.0.1:1"}, {NodeId(2), "127.0.0.1:2"}};
  o.rpc_timeout = std::chrono::milliseconds(50);
  o.total_timeout = std::chrono::milliseconds(300);
  ControllerClient client(o);
  auto r = client.DescribeQuorum();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace gregor::controller::client
