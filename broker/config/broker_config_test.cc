#include "broker/config/broker_config.h"

#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

TEST(ParseListenersTest, ParsesNamesHostsPortsAndProtocols) {
  auto l = ParseListeners("INTERNAL://broker1:9092,EXTERNAL://localhost:19092, PLAINTEXT://:9093",
                          "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT");
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0], (Listener{"INTERNAL", "broker1", 9092, "PLAINTEXT"}));
  EXPECT_EQ((*l)[1].host, "localhost");
  EXPECT_EQ((*l)[2].host, "");
  EXPECT_EQ((*l)[2].security_protocol, "PLAINTEXT");
}

TEST(ParseListenersTest, RejectsBadSpecs) {
  EXPECT_FALSE(ParseListeners("broker1:9092", "").ok());
  EXPECT_FALSE(ParseListeners("PLAINTEXT://h:notaport", "").ok());
  EXPECT_FALSE(ParseListeners("CUSTOM://h:1", "").ok());  // no protocol for CUSTOM
  EXPECT_FALSE(ParseListeners("PLAINTEXT://h:1,PLAINTEXT://h:2", "").ok());
  EXPECT_FALSE(ParseListeners("A://h:1", "A:NOPE").ok());
  EXPECT_TRUE(ParseListeners("[::1]://h:1", "").ok() == false);
  auto v6 = ParseListeners("PLAINTEXT://[::1]:9092", "");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ((*v6)[0].host, "::1");
}

}  // namespace
}  // namespace gregor::broker
