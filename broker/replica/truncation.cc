#include "broker/replica/truncation.h"

#include <algorithm>

namespace gregor::broker {

TruncationDecision DecideTruncation(const storage::EpochEndOffset& answer,
                                    const FollowerLogView& log) {
  const Offset leo = log.log_end_offset;
  if (answer.end_offset == storage::kUndefinedEpochOffset) {
    return {std::min(log.high_watermark, leo), true};
  }
  if (answer.epoch == storage::kUndefinedEpoch) {
    return {std::min(answer.end_offset, leo), true};
  }
  storage::EpochEndOffset mine = log.end_offset_for_epoch(answer.epoch);
  if (mine.epoch == storage::kUndefinedEpoch || mine.end_offset == storage::kUndefinedEpochOffset) {
    // We know no epoch at or below the leader's: everything we hold from
    // there on is the leader's or later; trust its end.
    return {std::min(answer.end_offset, leo), true};
  }
  if (mine.epoch != answer.epoch) {
    return {std::min(mine.end_offset, leo), false};
  }
  return {std::min({mine.end_offset, answer.end_offset, leo}), true};
}

OutOfRangeDecision DecideOutOfRange(Offset follower_log_end, Offset leader_log_start,
                                    Offset leader_log_end) {
  if (leader_log_end.value() >= 0 && leader_log_end < follower_log_end) {
    return {OutOfRangeDecision::Kind::kTruncateTo, leader_log_end};
  }
  if (leader_log_start > follower_log_end) {
    return {OutOfRangeDecision::Kind::kRestartAt, leader_log_start};
  }
  return {OutOfRangeDecision::Kind::kNothing, follower_log_end};
}

}  // namespace gregor::broker
