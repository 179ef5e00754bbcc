// Time, injected: production code asks a Clock, tests pass a FakeClock they
// advance by hand (no sleeps in tests).
#ifndef GREGOR_COMMON_CLOCK_H_
#define GREGOR_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gregor {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for timeouts and intervals.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // Wall-clock milliseconds since the Unix epoch, for record timestamps and
  // time-based retention.
  virtual int64_t WallMillis() const = 0;

  // The process-wide real clock. Thread-safe; never destroyed.
  static Clock* Real();
};

// A clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t wall_millis = 1'700'000'000'000) : wall_ms_(wall_millis) {}
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(mono_ns_.load()));
  }
  int64_t WallMillis() const override { return wall_ms_.load(); }
  void Advance(std::chrono::nanoseconds d) {
    mono_ns_ += d.count();
    wall_ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  }
  void SetWallMillis(int64_t ms) { wall_ms_ = ms; }

 private:
  std::atomic<int64_t> mono_ns_{1'000'000'000};
  std::atomic<int64_t> wall_ms_;
};

}  // namespace gregor

#endif  // GREGOR_COMMON_CLOCK_H_
