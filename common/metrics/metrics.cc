#include "common/metrics/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"

namespace gregor::metrics {
namespace {

void AtomicAdd(std::atomic<double>& a, double v) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.6g", v);
}

std::string Escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void Counter::Add(double v) {
  DCHECK_GE(v, 0);
  AtomicAdd(v_, v);
}

void Gauge::Inc(double v) { AtomicAdd(v_, v); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  CHECK(std::is_sorted(bounds_.begin(), bounds_.end()));
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}

std::vector<double> LatencyBucketsMs() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
}

std::string FormatLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    absl::StrAppend(&out, labels[i].first, "=\"", Escape(labels[i].second), "\"");
  }
  out += "}";
  return out;
}

void SampleWriter::Family(const std::string& name, const std::string& help,
                          const std::string& type) {
  if (std::find(declared_.begin(), declared_.end(), name) != declared_.end()) return;
  declared_.push_back(name);
  absl::StrAppend(&out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

void SampleWriter::Sample(const std::string& name, const Labels& labels, double value) {
  absl::StrAppend(&out_, name, FormatLabels(labels), " ", FormatValue(value), "\n");
}

Registry::Family* Registry::GetFamily(const std::string& name, const std::string& help,
                                      Type type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
  }
  CHECK(it->second.type == type) << "metric " << name << " registered with two types";
  return &it->second;
}

Counter* Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  absl::MutexLock l(&mu_);
  auto& slot = GetFamily(name, help, Type::kCounter)->counters[labels];
  if (slot == nullptr) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* Registry::GetGauge(const std::string& name, const std::string& help,
                          const Labels& labels) {
  absl::MutexLock l(&mu_);
  auto& slot = GetFamily(name, help, Type::kGauge)->gauges[labels];
  if (slot == nullptr) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels, const std::vector<double>& bounds) {
  absl::MutexLock l(&mu_);
  auto& slot = GetFamily(name, help, Type::kHistogram)->histograms[labels];
  if (slot == nullptr) slot = std::make_unique<Histogram>(bounds);
  return slot.get();
}

int Registry::AddCollector(std::function<void(SampleWriter&)> collect) {
  absl::MutexLock l(&mu_);
  int id = next_collector_++;
  collectors_[id] = std::move(collect);
  return id;
}

void Registry::RemoveCollector(int id) {
  absl::MutexLock l(&mu_);
  collectors_.erase(id);
}

std::string Registry::Render() const {
  SampleWriter w;
  absl::MutexLock l(&mu_);
  for (const auto& [name, f] : families_) {
    switch (f.type) {
      case Type::kCounter:
        w.Family(name, f.help, "counter");
        for (const auto& [labels, c] : f.counters) w.Sample(name, labels, c->value());
        break;
      case Type::kGauge:
        w.Family(name, f.help, "gauge");
        for (const auto& [labels, g] : f.gauges) w.Sample(name, labels, g->value());
        break;
      case Type::kHistogram:
        w.Family(name, f.help, "histogram");
        for (const auto& [labels, h] : f.histograms) {
          std::vector<uint64_t> counts = h->CumulativeCounts();
          for (size_t i = 0; i < counts.size(); ++i) {
            Labels with_le = labels;
            with_le.emplace_back("le", i < h->bounds().size() ? FormatValue(h->bounds()[i]) : "+Inf");
            w.Sample(name + "_bucket", with_le, static_cast<double>(counts[i]));
          }
          w.Sample(name + "_sum", labels, h->sum());
          w.Sample(name + "_count", labels, static_cast<double>(h->count()));
        }
        break;
    }
  }
  for (const auto& [id, collect] : collectors_) collect(w);
  return std::move(w.out());
}

}  // namespace gregor::metrics
