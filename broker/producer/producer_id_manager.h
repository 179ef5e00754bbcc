// Hands out producer ids for idempotent producers (InitProducerId without a
// transactional id). Ids come from the controller in blocks
// (AllocateProducerIds), so producer ids are unique across the cluster; the
// next block is fetched in the background when the current one runs low.
//
// Thread-safety: thread-safe, non-blocking: Next() never waits for the
// controller (it answers "not yet" while the first block is being fetched,
// and the handler tells the client to retry — COORDINATOR_LOAD_IN_PROGRESS,
// as Kafka does).
#ifndef GREGOR_BROKER_PRODUCER_PRODUCER_ID_MANAGER_H_
#define GREGOR_BROKER_PRODUCER_PRODUCER_ID_MANAGER_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/thread_pool.h"

namespace gregor::broker {

struct ProducerIdBlock {
  int64_t start = 0;
  int32_t length = 0;
};

class ProducerIdManager {
 public:
  // `allocate` asks the controller for a block; it may block (it runs on
  // `pool`). Fetching starts at once.
  ProducerIdManager(std::function<absl::StatusOr<ProducerIdBlock>()> allocate, ThreadPool* pool);

  // The next producer id, or nullopt while no block is available yet.
  std::optional<int64_t> Next();

 private:
  void MaybeFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::function<absl::StatusOr<ProducerIdBlock>()> allocate_;
  ThreadPool* const pool_;
  absl::Mutex mu_;
  ProducerIdBlock current_ ABSL_GUARDED_BY(mu_);
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<ProducerIdBlock> prefetched_ ABSL_GUARDED_BY(mu_);
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_PRODUCER_PRODUCER_ID_MANAGER_H_
