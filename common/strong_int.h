// Distinct integer types for ids, offsets and epochs, so that an Offset can
// not be passed where a LeaderEpoch is expected. Zero-cost wrappers.
#ifndef GREGOR_COMMON_STRONG_INT_H_
#define GREGOR_COMMON_STRONG_INT_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace gregor {

template <typename Tag, typename T>
class StrongInt {
 public:
  using ValueType = T;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(T v) : v_(v) {}
  constexpr T value() const { return v_; }

  constexpr auto operator<=>(const StrongInt&) const = default;
  constexpr StrongInt& operator+=(T d) {
    v_ += d;
    return *this;
  }
  constexpr StrongInt operator+(T d) const { return StrongInt(v_ + d); }
  constexpr StrongInt operator-(T d) const { return StrongInt(v_ - d); }
  constexpr T operator-(StrongInt o) const { return v_ - o.v_; }
  constexpr StrongInt& operator++() {
    ++v_;
    return *this;
  }

  template <typename H>
  friend H AbslHashValue(H h, StrongInt s) {
    return H::combine(std::move(h), s.v_);
  }
  friend std::ostream& operator<<(std::ostream& os, StrongInt s) { return os << s.v_; }

 private:
  T v_{};
};

// Kafka log offset (position of a record in a partition).
using Offset = StrongInt<struct OffsetTag, int64_t>;
// Raft term and log index on the controllers.
using Term = StrongInt<struct TermTag, uint64_t>;
using LogIndex = StrongInt<struct LogIndexTag, uint64_t>;
// Partition leader epoch (bumped on every leader change) and partition epoch
// (bumped on every change of the partition's replica set or ISR).
using LeaderEpoch = StrongInt<struct LeaderEpochTag, int32_t>;
using PartitionEpoch = StrongInt<struct PartitionEpochTag, int32_t>;
using BrokerId = StrongInt<struct BrokerIdTag, int32_t>;
using NodeId = StrongInt<struct NodeIdTag, int32_t>;
using PartitionId = StrongInt<struct PartitionIdTag, int32_t>;
using ProducerId = StrongInt<struct ProducerIdTag, int64_t>;

}  // namespace gregor

template <typename Tag, typename T>
struct std::hash<gregor::StrongInt<Tag, T>> {
  size_t operator()(gregor::StrongInt<Tag, T> s) const { return std::hash<T>()(s.value()); }
};

#endif  // GREGOR_COMMON_STRONG_INT_H_
