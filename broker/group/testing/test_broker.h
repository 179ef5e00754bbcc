// A one-broker stand-in for tests of the group glue and the group handlers:
// real partition logs (storage::LogManager in a temporary directory) under a
// real ReplicaManager, kept in step with a MetadataImage built by replaying
// metadata records — exactly how a broker applies the controller's records.
//
// The broker's id is 1. Close() and Open() restart it over the same
// directory (logs recovered from disk, the image applied again), which is
// what a coordinator failover to a restarted broker looks like.
#ifndef GREGOR_BROKER_GROUP_TESTING_TEST_BROKER_H_
#define GREGOR_BROKER_GROUP_TESTING_TEST_BROKER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/replica/replica_manager.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/testing/temp_dir.h"
#include "common/clock.h"
#include "common/metadata/delta.h"
#include "common/metadata/image.h"
#include "common/uuid.h"
#include "proto/metadata.pb.h"

namespace gregor::broker::group::testing {

inline constexpr int kLocalBroker = 1;

class TestBroker {
 public:
  TestBroker();
  ~TestBroker();

  // Opens the logs and a fresh ReplicaManager, then applies the image so far.
  void Open();
  // Shuts the ReplicaManager and the logs down cleanly.
  void Close();

  // Replays `records` onto the image and applies the result to the
  // ReplicaManager (leaderships change, listeners run).
  void Apply(const std::vector<metadata::MetadataRecord>& records);

  // Registers brokers 1..n (unfenced, PLAINTEXT 127.0.0.1:9092+id).
  void RegisterBrokers(int n);
  // Creates __consumer_offsets with `partitions` partitions, each with these
  // replicas and ISR, led by `leader`.
  void CreateOffsetsTopic(int partitions, std::vector<int> replicas = {kLocalBroker},
                          std::vector<int> isr = {kLocalBroker}, int leader = kLocalBroker);
  // Creates an ordinary topic led here.
  void CreateTopic(const std::string& name, int partitions);
  // Moves the leadership of a __consumer_offsets partition.
  void ChangeOffsetsLeader(int partition, int leader, std::vector<int> isr);

  ReplicaManager* replicas() { return replicas_.get(); }
  storage::LogManager* logs() { return logs_.get(); }
  std::shared_ptr<const metadata::MetadataImage> image() const { return image_; }
  Clock* clock() { return Clock::Real(); }
  const Uuid& offsets_topic_id() const { return offsets_topic_id_; }
  // The local replica of __consumer_offsets-`partition` (null if absent).
  std::shared_ptr<Partition> OffsetsPartition(int partition);

 private:
  storage::testing::TempDir dir_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::shared_ptr<const metadata::MetadataImage> image_ = metadata::MetadataImage::Empty();
  int64_t next_offset_ = 1;
  Uuid offsets_topic_id_{0x0ff5e75, 0x1};
  uint64_t next_topic_id_ = 100;
};

// Polls `done` until it holds or `limit` passes (a guard against hangs, not
// a timing assertion). Returns its last value.
bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds limit = std::chrono::seconds(30));

}  // namespace gregor::broker::group::testing

#endif  // GREGOR_BROKER_GROUP_TESTING_TEST_BROKER_H_
