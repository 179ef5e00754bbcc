// SaslHandshake, SaslAuthenticate and the ACL APIs on a broker without SASL
// and without an authorizer: the answers Kafka 4.1.1 gave on a PLAINTEXT
// listener (captured from a real broker), at every version the codec has.
#include <memory>

#include "broker/kafka/handlers/create_acls.h"
#include "broker/kafka/handlers/delete_acls.h"
#include "broker/kafka/handlers/describe_acls.h"
#include "broker/kafka/handlers/sasl_authenticate.h"
#include "broker/kafka/handlers/sasl_handshake.h"
#include "broker/kafka/handlers/test_harness.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using testing::AdminHarness;
using testing::HarnessOptions;

constexpr int16_t kIllegalSaslState = 34;
constexpr int16_t kUnsupportedSaslMechanism = 33;
constexpr int16_t kSecurityDisabled = 54;

void AddSecurityHandlers(AdminHarness& h) {
  h.dispatcher().Add(std::make_unique<SaslHandshakeHandler>(&h.context()));
  h.dispatcher().Add(std::make_unique<SaslAuthenticateHandler>(&h.context()));
  h.dispatcher().Add(std::make_unique<DescribeAclsHandler>());
  h.dispatcher().Add(std::make_unique<CreateAclsHandler>());
  h.dispatcher().Add(std::make_unique<DeleteAclsHandler>());
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddSecurityHandlers(h_);
    h_.Start();
  }
  AdminHarness h_;
};

TEST_F(SecurityTest, HandshakeOnPlaintextIsIllegalSaslStateWithNoMechanisms) {
  for (int16_t v = 0; v <= 1; ++v) {
    kafka::SaslHandshakeRequest req;
    req.mechanism = "PLAIN";
    auto r = h_.Call<kafka::SaslHandshakeResponse>(req, v);
    EXPECT_EQ(r.error_code, kIllegalSaslState) << "v" << v;
    EXPECT_TRUE(r.mechanisms.empty()) << "v" << v;
  }
}

TEST_F(SecurityTest, AuthenticateOnPlaintextIsIllegalSaslState) {
  for (int16_t v = 0; v <= 2; ++v) {
    kafka::SaslAuthenticateRequest req;
    req.auth_bytes = std::string("\0user\0secret", 12);
    auto r = h_.Call<kafka::SaslAuthenticateResponse>(req, v);
    EXPECT_EQ(r.error_code, kIllegalSaslState) << "v" << v;
    EXPECT_EQ(r.error_message, "SaslAuthenticate request received after successful authentication")
        << "v" << v;
    EXPECT_EQ(r.auth_bytes, "") << "v" << v;
    EXPECT_EQ(r.session_lifetime_ms, 0) << "v" << v;
  }
}

TEST(SecuritySaslListenerTest, ASaslListenerHasNoMechanismEnabled) {
  AdminHarness h(HarnessOptions{.configure = [](BrokerConfig& c) {
    c.listeners[1].security_protocol = "SASL_PLAINTEXT";
  }});
  AddSecurityHandlers(h);
  h.Start();
  kafka::SaslHandshakeRequest req;
  req.mechanism = "SCRAM-SHA-256";
  auto r = h.Call<kafka::SaslHandshakeResponse>(req, 1, "EXTERNAL");
  EXPECT_EQ(r.error_code, kUnsupportedSaslMechanism);
  EXPECT_TRUE(r.mechanisms.empty());
  auto a = h.Call<kafka::SaslAuthenticateResponse>(kafka::SaslAuthenticateRequest{}, 2, "EXTERNAL");
  EXPECT_EQ(a.error_code, kIllegalSaslState);
  // The PLAINTEXT listener of the same broker still answers as above.
  EXPECT_EQ(h.Call<kafka::SaslHandshakeResponse>(req, 1).error_code, kIllegalSaslState);
}

TEST_F(SecurityTest, DescribeAclsIsSecurityDisabled) {
  for (int16_t v = 0; v <= 3; ++v) {
    kafka::DescribeAclsRequest req;
    req.resource_type_filter = 1;  // ANY
    req.pattern_type_filter = 1;   // ANY
    req.resource_name_filter = std::nullopt;
    req.principal_filter = std::nullopt;
    req.host_filter = std::nullopt;
    req.operation = 1;
    req.permission_type = 1;
    if (v == 0) req.pattern_type_filter = 3;  // v0 has no pattern type
    auto r = h_.Call<kafka::DescribeAclsResponse>(req, v);
    EXPECT_EQ(r.error_code, kSecurityDisabled) << "v" << v;
    EXPECT_EQ(r.error_message, "No Authorizer is configured on the broker") << "v" << v;
    EXPECT_TRUE(r.resources.empty()) << "v" << v;
  }
}

TEST_F(SecurityTest, CreateAndDeleteAclsAnswerEveryEntryWithSecurityDisabled) {
  for (int16_t v = 0; v <= 3; ++v) {
    kafka::CreateAclsRequest create;
    for (const char* topic : {"a", "b"}) {
      kafka::CreateAclsRequest::AclCreation c;
      c.resource_type = 2;
      c.resource_name = topic;
      c.resource_pattern_type = 3;
      c.principal = "User:alice";
      c.host = "*";
      c.operation = 3;
      c.permission_type = 3;
      create.creations.push_back(c);
    }
    auto cr = h_.Call<kafka::CreateAclsResponse>(create, v);
    ASSERT_EQ(cr.results.size(), 2u) << "v" << v;
    for (const auto& res : cr.results) {
      EXPECT_EQ(res.error_code, kSecurityDisabled) << "v" << v;
      EXPECT_EQ(res.error_message, "No Authorizer is configured.") << "v" << v;
    }

    kafka::DeleteAclsRequest del;
    kafka::DeleteAclsRequest::DeleteAclsFilter f;
    f.resource_type_filter = 1;
    f.resource_name_filter = std::nullopt;
    f.pattern_type_filter = v == 0 ? 3 : 1;
    f.principal_filter = std::nullopt;
    f.host_filter = std::nullopt;
    f.operation = 1;
    f.permission_type = 1;
    del.filters = {f, f, f};
    auto dr = h_.Call<kafka::DeleteAclsResponse>(del, v);
    ASSERT_EQ(dr.filter_results.size(), 3u) << "v" << v;
    for (const auto& res : dr.filter_results) {
      EXPECT_EQ(res.error_code, kSecurityDisabled) << "v" << v;
      EXPECT_EQ(res.error_message, "No Authorizer is configured.") << "v" << v;
      EXPECT_TRUE(res.matching_acls.empty()) << "v" << v;
    }
  }
}

}  // namespace
}  // namespace gregor::broker
