// Where a follower must cut its log so that it never keeps records the leader
// does not have (KIP-101 / KIP-279 / KIP-320). Pure functions over what the
// follower's log says and what the leader answered; the fetcher applies the
// result with Partition::TruncateTo.
//
// The leader's answer for the follower's latest epoch E is (epoch, end): the
// largest epoch <= E the leader knows and the offset where it ends there.
//  - The leader cannot answer (end undefined): cut at the follower's high
//    watermark, the only point known to be on the leader (pre-KIP-101 rule).
//  - The leader knows no epoch <= E (epoch undefined, end defined): cut at
//    the leader's end.
//  - The follower has that exact epoch: cut at min(follower's end of it,
//    leader's end of it). Done.
//  - The follower does not have it (it only has smaller ones around there):
//    cut at the end of the follower's largest epoch below it and ask again
//    with the follower's new latest epoch (KIP-279: two leader changes in a
//    row can leave divergence more than one epoch deep).
// A cut is never above the follower's log end.
#ifndef GREGOR_BROKER_REPLICA_TRUNCATION_H_
#define GREGOR_BROKER_REPLICA_TRUNCATION_H_

#include <functional>

#include "broker/storage/leader_epoch_cache.h"
#include "common/strong_int.h"

namespace gregor::broker {

struct TruncationDecision {
  Offset truncate_to;  // cut the log here (>= the log end: nothing to cut)
  bool completed;      // false: ask the leader again for the new latest epoch
  friend bool operator==(const TruncationDecision&, const TruncationDecision&) = default;
};

// What the follower's log knows (the local side of the decision).
struct FollowerLogView {
  Offset log_end_offset;
  Offset high_watermark;
  // The follower's own EndOffsetForEpoch (largest epoch <= e and its end).
  std::function<storage::EpochEndOffset(LeaderEpoch)> end_offset_for_epoch;
};

// The decision for the leader's `answer` to an epoch-end query (the
// EpochEndOffset RPC or a fetch response's diverging epoch).
TruncationDecision DecideTruncation(const storage::EpochEndOffset& answer,
                                    const FollowerLogView& log);

// OFFSET_OUT_OF_RANGE on a fetch at the follower's log end (Kafka's rule):
// a leader that ends below us → cut to its end; a leader whose log starts
// above our end → drop everything and restart at its start.
struct OutOfRangeDecision {
  enum class Kind { kTruncateTo, kRestartAt, kNothing };
  Kind kind;
  Offset offset;
  friend bool operator==(const OutOfRangeDecision&, const OutOfRangeDecision&) = default;
};
OutOfRangeDecision DecideOutOfRange(Offset follower_log_end, Offset leader_log_start,
                                    Offset leader_log_end);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_TRUNCATION_H_
