#include "broker/group/coordinator_locator.h"

#include "absl/synchronization/notification.h"
#include "broker/group/offsets_topic.h"
#include "broker/group/partitioner.h"
#include "common/metadata/delta.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

namespace mt = ::gregor::metadata::testing;
using metadata::MetadataImage;

constexpr int kPartitions = 5;

class CoordinatorLocatorTest : public ::testing::Test {
 protected:
  CoordinatorLocatorTest() {
    CoordinatorLocatorOptions o;
    o.offsets_topic_num_partitions = kPartitions;
    o.offsets_topic_replication_factor = 3;
    o.create_retry_interval = std::chrono::milliseconds(1000);
    locator_ = std::make_unique<CoordinatorLocator>(
        o, [this] { return Image(); },
        [this](const controllerpb::CreateTopicsRequest& req)
            -> absl::StatusOr<controllerpb::CreateTopicsResponse> {
          {
            absl::MutexLock l(&mu_);
            requests_.push_back(req);
          }
          release_.WaitForNotification();
          controllerpb::CreateTopicsResponse resp;
          resp.add_topics()->set_name(req.topics(0).name());
          return resp;
        },
        &pool_, &clock_);
  }
  ~CoordinatorLocatorTest() override {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  std::shared_ptr<const MetadataImage> Image() {
    absl::MutexLock l(&mu_);
    return image_;
  }
  void Apply(std::vector<metadata::MetadataRecord> records) {
    absl::MutexLock l(&mu_);
    metadata::MetadataDelta d(image_);
    for (const auto& r : records) ASSERT_TRUE(d.Replay(metadata::MetadataOffset(++offset_), r).ok());
    image_ = d.Apply();
  }
  void RegisterBrokers(int n) {
    std::vector<metadata::MetadataRecord> records;
    for (int id = 1; id <= n; ++id) {
      metadata::MetadataRecord r = mt::RegisterBroker(id, 0, /*fenced=*/false);
      auto* e = r.mutable_register_broker()->add_endpoints();
      e->set_name("EXTERNAL");
      e->set_host("broker" + std::to_string(id) + ".example");
      e->set_port(29092);
      records.push_back(r);
    }
    Apply(records);
  }
  size_t requests() {
    absl::MutexLock l(&mu_);
    return requests_.size();
  }
  controllerpb::CreateTopicsRequest request(size_t i) {
    absl::MutexLock l(&mu_);
    return requests_.at(i);
  }
  void CreateTopic(int leader) {
    std::vector<metadata::MetadataRecord> records = {mt::Topic(kOffsetsTopic, topic_)};
    for (int p = 0; p < kPartitions; ++p) {
      records.push_back(mt::Partition(topic_, p, {1, 2, 3}, {1, 2, 3}, leader));
    }
    Apply(records);
  }

  absl::Mutex mu_;
  std::shared_ptr<const MetadataImage> image_ = MetadataImage::Empty();
  int64_t offset_ = 0;
  std::vector<controllerpb::CreateTopicsRequest> requests_;
  absl::Notification release_;
  FakeClock clock_;
  ThreadPool pool_{1, 100, "test-pool"};
  Uuid topic_{5, 5};
  std::unique_ptr<CoordinatorLocator> locator_;
};

TEST_F(CoordinatorLocatorTest, MissingTopicIsCreatedOnceAndClientsRetry) {
  RegisterBrokers(3);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(locator_->Locate("g", "PLAINTEXT").error, ErrorCode::kCoordinatorNotAvailable);
  }
  EXPECT_EQ(locator_->create_attempts(), 1);  // one creation in flight at a time
  release_.Notify();
  // The request Kafka's broker would send.
  while (requests() == 0) std::this_thread::yield();
  controllerpb::CreateTopicsRequest req = request(0);
  ASSERT_EQ(req.topics_size(), 1);
  EXPECT_EQ(req.topics(0).name(), "__consumer_offsets");
  EXPECT_EQ(req.topics(0).num_partitions(), kPartitions);
  EXPECT_EQ(req.topics(0).replication_factor(), 3);
  std::map<std::string, std::string> configs;
  for (const auto& c : req.topics(0).configs()) configs[c.name()] = c.value();
  EXPECT_EQ(configs, (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                          {"compression.type", "producer"},
                                                          {"segment.bytes", "104857600"}}));

  // Created but no leader yet: still not available.
  std::vector<metadata::MetadataRecord> records = {mt::Topic(kOffsetsTopic, topic_)};
  for (int p = 0; p < kPartitions; ++p) {
    records.push_back(mt::Partition(topic_, p, {1, 2, 3}, {1, 2, 3}, -1));
  }
  Apply(records);
  EXPECT_EQ(locator_->Locate("g", "PLAINTEXT").error, ErrorCode::kCoordinatorNotAvailable);
}

TEST_F(CoordinatorLocatorTest, CoordinatorIsThePartitionLeaderOnTheClientsListener) {
  RegisterBrokers(3);
  CreateTopic(/*leader=*/2);
  const int partition = PartitionForGroup("g", kPartitions);
  Apply({mt::PartitionChange(topic_, partition, 3, std::nullopt)});
  CoordinatorLocation plain = locator_->Locate("g", "PLAINTEXT");
  EXPECT_EQ(plain.error, ErrorCode::kNone);
  EXPECT_EQ(plain.node_id, 3);
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 9095);
  CoordinatorLocation external = locator_->Locate("g", "EXTERNAL");
  EXPECT_EQ(external.node_id, 3);
  EXPECT_EQ(external.host, "broker3.example");
  EXPECT_EQ(external.port, 29092);
  // A listener the leader does not have.
  EXPECT_EQ(locator_->Locate("g", "INTERNAL").error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(locator_->create_attempts(), 0);
}

TEST_F(CoordinatorLocatorTest, FencedLeaderIsNotAvailable) {
  RegisterBrokers(3);
  CreateTopic(/*leader=*/2);
  Apply({mt::BrokerChange(2, 2, metadata::FENCE)});
  EXPECT_EQ(locator_->Locate("g", "PLAINTEXT").error, ErrorCode::kCoordinatorNotAvailable);
}

TEST_F(CoordinatorLocatorTest, FewerLiveBrokersThanTheReplicationFactorCreatesNothing) {
  RegisterBrokers(2);
  EXPECT_EQ(locator_->Locate("g", "PLAINTEXT").error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(locator_->create_attempts(), 0);
  RegisterBrokers(3);
  EXPECT_EQ(locator_->Locate("g", "PLAINTEXT").error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(locator_->create_attempts(), 1);
}

TEST_F(CoordinatorLocatorTest, FailedCreationIsRetriedAfterTheInterval) {
  RegisterBrokers(3);
  release_.Notify();
  locator_->Locate("g", "PLAINTEXT");
  while (requests() == 0) std::this_thread::yield();
  // The creation finished (the topic is not in the image yet): no new
  // attempt within the interval, one after it.
  clock_.Advance(std::chrono::milliseconds(10));
  locator_->Locate("g", "PLAINTEXT");
  EXPECT_EQ(locator_->create_attempts(), 1);
  clock_.Advance(std::chrono::milliseconds(1000));
  for (int i = 0; i < 1000 && locator_->create_attempts() < 2; ++i) {
    locator_->Locate("g", "PLAINTEXT");
    std::this_thread::yield();
  }
  EXPECT_EQ(locator_->create_attempts(), 2);
}

}  // namespace
}  // namespace gregor::broker::group
