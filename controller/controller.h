// Controller: the active controller's logic, KRaft style, with no I/O.
//
// Every operation validates a request against the current MetadataImage and
// returns {records, response}; it changes no metadata. Replay() is the single
// mutator: the quorum controller calls it with each committed batch (and,
// on the leader, with each batch it proposes, to validate the next
// operation against a view that includes records not yet committed); standby
// controllers and snapshot loading call it the same way.
//
// Besides the image, the controller keeps soft state that is not metadata:
// when it last heard from each broker (liveness) and its random generator
// (topic ids, placement rotation). Operations that touch soft state say so.
//
// Errors are Kafka error codes with Kafka's messages (controller/errors.h);
// a failed operation or a failed item of a batch request writes nothing.
//
// Thread-safety: not thread-safe; the quorum controller serializes calls.
#ifndef GREGOR_CONTROLLER_CONTROLLER_H_
#define GREGOR_CONTROLLER_CONTROLLER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/metadata/delta.h"
#include "common/metadata/image.h"
#include "controller/errors.h"
#include "controller/partition_change.h"
#include "proto/controller.pb.h"

namespace gregor::controller {

using TimePoint = std::chrono::steady_clock::time_point;

struct ControllerOptions {
  // num.partitions / default.replication.factor: used when CreateTopics
  // passes -1.
  int32_t default_num_partitions = 1;
  int32_t default_replication_factor = 1;
  // A broker that has not heartbeated for this long is fenced
  // (broker.session.timeout.ms; see docs/controller.md for the choice).
  std::chrono::milliseconds broker_session_timeout{1000};
  // auto.leader.rebalance.enable / leader.imbalance.check.interval.seconds.
  bool auto_leader_rebalance_enable = true;
  std::chrono::milliseconds leader_imbalance_check_interval{300'000};
  // unclean.leader.election.enable: the cluster default when neither the
  // topic nor the dynamic cluster config sets it.
  bool unclean_leader_election_enable = false;
  // Limits.
  int32_t max_records_per_operation = 10'000;   // Kafka's MAX_RECORDS_PER_USER_OP
  int32_t max_partitions_per_request = 10'000;  // CreateTopics + CreatePartitions
  int32_t max_elections_per_rebalance = 1'000;
  size_t max_config_value_bytes = 32 * 1024;
};

template <typename Response>
struct ControllerResult {
  std::vector<metadata::MetadataRecord> records;
  Response response;
};

// Accumulates the records of one operation and keeps a view of the image
// with them applied, so that later steps of the operation see earlier ones.
class RecordBuilder {
 public:
  explicit RecordBuilder(std::shared_ptr<const metadata::MetadataImage> image);
  // REQUIRES: the record applies to view() (a failure is a controller bug
  // and crashes).
  void Add(metadata::MetadataRecord record);
  const metadata::MetadataImage& view() const { return delta_.current(); }
  size_t size() const { return records_.size(); }
  std::vector<metadata::MetadataRecord> Take() { return std::move(records_); }

 private:
  metadata::MetadataDelta delta_;
  metadata::MetadataOffset offset_;
  std::vector<metadata::MetadataRecord> records_;
};

class Controller {
 public:
  Controller(ControllerOptions options, uint64_t random_seed);

  const ControllerOptions& options() const { return options_; }

  // --- metadata ---------------------------------------------------------------
  const std::shared_ptr<const metadata::MetadataImage>& image() const { return image_; }
  // The single mutator: applies a committed (or, on the leader, proposed)
  // batch. Errors mean the batch does not apply (nothing changed).
  absl::Status Replay(metadata::MetadataOffset offset, const metadata::MetadataBatch& batch);
  // Replaces the image (snapshot load, or dropping uncommitted records after
  // a failed proposal).
  void ResetImage(std::shared_ptr<const metadata::MetadataImage> image);

  // --- liveness (soft state) -----------------------------------------------------
  // Called when this controller becomes active: every registered broker
  // counts as heard from at `now`, a full session timeout of grace after a
  // controller failover.
  void Activate(TimePoint now);
  void Deactivate();
  // Liveness after this controller's own stall (e.g. a long pause of its
  // process): missed heartbeats during the stall are not the brokers' fault.
  void ExtendSessions(std::chrono::nanoseconds by);

  // --- broker lifecycle ------------------------------------------------------------
  // Records a new registration (fenced until it catches up). A registration
  // with the incarnation id already registered is a retry and writes
  // nothing; a new incarnation replaces the old one, whose leaderships and
  // ISR memberships are dropped first. The response's broker_epoch is -1 when
  // a record is written: the epoch is the offset at which it commits (the
  // quorum controller fills it in). Touches liveness.
  ControllerResult<controllerpb::RegisterBrokerResponse> RegisterBroker(
      const controllerpb::RegisterBrokerRequest& request, TimePoint now);
  // Liveness, unfencing once caught up with its own registration, fencing on
  // request, and controlled shutdown (leaderships move away first;
  // should_shutdown once it leads nothing). Touches liveness.
  ControllerResult<controllerpb::BrokerHeartbeatResponse> BrokerHeartbeat(
      const controllerpb::BrokerHeartbeatRequest& request, TimePoint now);

  // --- topics -------------------------------------------------------------------
  // Advances the random generator (topic ids) but changes no metadata.
  ControllerResult<controllerpb::CreateTopicsResponse> CreateTopics(
      const controllerpb::CreateTopicsRequest& request);
  ControllerResult<controllerpb::DeleteTopicsResponse> DeleteTopics(
      const controllerpb::DeleteTopicsRequest& request) const;
  ControllerResult<controllerpb::CreatePartitionsResponse> CreatePartitions(
      const controllerpb::CreatePartitionsRequest& request);
  ControllerResult<controllerpb::AlterConfigsResponse> AlterConfigs(
      const controllerpb::AlterConfigsRequest& request) const;

  // --- partitions -----------------------------------------------------------------
  ControllerResult<controllerpb::AlterPartitionResponse> AlterPartition(
      const controllerpb::AlterPartitionRequest& request) const;
  ControllerResult<controllerpb::ElectLeadersResponse> ElectLeaders(
      const controllerpb::ElectLeadersRequest& request) const;
  ControllerResult<controllerpb::AlterPartitionReassignmentsResponse> AlterPartitionReassignments(
      const controllerpb::AlterPartitionReassignmentsRequest& request) const;
  controllerpb::ListPartitionReassignmentsResponse ListPartitionReassignments(
      const controllerpb::ListPartitionReassignmentsRequest& request) const;

  // --- producer ids -----------------------------------------------------------------
  ControllerResult<controllerpb::AllocateProducerIdsResponse> AllocateProducerIds(
      const controllerpb::AllocateProducerIdsRequest& request) const;

  // --- periodic work (the active controller's timer) ---------------------------------
  // Fences every unfenced broker not heard from for a session timeout; moves
  // its leaderships and shrinks ISRs. Returns the fenced ids with the records.
  ControllerResult<std::vector<BrokerId>> FenceExpiredBrokers(TimePoint now) const;
  // Preferred-leader elections for partitions led by a non-preferred replica
  // whose preferred replica is an acceptable ISR member (at most
  // max_elections_per_rebalance).
  std::vector<metadata::MetadataRecord> RebalanceLeaders() const;
  // Leader elections for leader-less partitions that now have a candidate
  // (an acceptable ISR member, or any acceptable replica when unclean
  // election is enabled for the topic).
  std::vector<metadata::MetadataRecord> ElectOfflineLeaders() const;

  // Whether unclean leader election is enabled for `topic` in `image`.
  bool UncleanAllowed(const metadata::MetadataImage& image, std::string_view topic) const;

 private:
  // Moves leaderships off `broker` and drops it from ISRs (keeping the last
  // member), for fencing, controlled shutdown and re-registration.
  void RemoveBrokerFromPartitions(BrokerId broker, RecordBuilder& builder) const;
  // Elects leaders for leader-less partitions that `broker` is a replica of.
  void ElectForUnfencedBroker(BrokerId broker, RecordBuilder& builder) const;
  void Fence(BrokerId broker, RecordBuilder& builder) const;
  PartitionChangeBuilder::Acceptor ActiveBrokers(const metadata::MetadataImage& image,
                                                 BrokerId except = BrokerId(-2)) const;
  ApiError CheckBrokerEpoch(BrokerId broker, int64_t epoch) const;
  uint64_t NextRandom() { return rng_(); }

  ControllerOptions options_;
  std::mt19937_64 rng_;
  std::shared_ptr<const metadata::MetadataImage> image_;
  bool active_ = false;
  absl::flat_hash_map<BrokerId, TimePoint> last_contact_;
};

// Convenience for tests and tools: the LeaderHint-free error of a response.
ApiError ErrorFromProto(const controllerpb::Error& e);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_CONTROLLER_H_
