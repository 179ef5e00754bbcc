// Prometheus metrics: counters, gauges and histograms with labels, rendered in
// the Prometheus text exposition format (version 0.0.4) for /metrics.
//
// Registration (Get*) takes a lock and returns a stable pointer: look metrics
// up once and keep the pointer. Updates are lock-free (atomics) and
// thread-safe. Values that are cheaper to read on demand (log sizes, queue
// lengths) are reported by collectors called at render time.
#ifndef GREGOR_COMMON_METRICS_METRICS_H_
#define GREGOR_COMMON_METRICS_METRICS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace gregor::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1) { Add(v); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  void Add(double v);
  std::atomic<double> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1);
  void Dec(double v = 1) { Inc(-v); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  // REQUIRES: `bounds` sorted ascending (upper bounds; +Inf is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count per bound (+Inf last), sum and count at this moment.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Latency buckets in milliseconds, 0.05 ms .. 30 s.
std::vector<double> LatencyBucketsMs();

// Writes samples from a collector.
class SampleWriter {
 public:
  // Declares a family (HELP/TYPE lines) once per render; type is "gauge" or
  // "counter".
  void Family(const std::string& name, const std::string& help, const std::string& type);
  void Sample(const std::string& name, const Labels& labels, double value);
  std::string& out() { return out_; }

 private:
  std::string out_;
  std::vector<std::string> declared_;
};

class Registry {
 public:
  Counter* GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge* GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                          const std::vector<double>& bounds);
  // `collect` runs on every Render(); it must be thread-safe and quick.
  // Returns an id for RemoveCollector.
  int AddCollector(std::function<void(SampleWriter&)> collect);
  void RemoveCollector(int id);

  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family* GetFamily(const std::string& name, const std::string& help, Type type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
  std::map<int, std::function<void(SampleWriter&)>> collectors_ ABSL_GUARDED_BY(mu_);
  int next_collector_ ABSL_GUARDED_BY(mu_) = 0;
};

// Formats a label set as {a="x",b="y"} with Prometheus escaping.
std::string FormatLabels(const Labels& labels);

}  // namespace gregor::metrics

#endif  // GREGOR_COMMON_METRICS_METRICS_H_
