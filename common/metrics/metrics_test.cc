#include "common/metrics/metrics.h"

#include <thread>

#include "gtest/gtest.h"

namespace gregor::metrics {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesWithLabels) {
  Registry r;
  r.GetCounter("kafka_requests_total", "Requests.", {{"api", "Produce"}})->Inc(3);
  r.GetGauge("under_replicated_partitions", "URP.")->Set(2);
  std::string out = r.Render();
  EXPECT_NE(out.find("# TYPE kafka_requests_total counter\n"), std::string::npos);
  EXPECT_NE(out.find("kafka_requests_total{api=\"Produce\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("under_replicated_partitions 2\n"), std::string::npos);
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameMetric) {
  Registry r;
  Counter* a = r.GetCounter("c", "h", {{"x", "1"}});
  Counter* b = r.GetCounter("c", "h", {{"x", "1"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, r.GetCounter("c", "h", {{"x", "2"}}));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  Histogram* h = r.GetHistogram("lat_ms", "Latency.", {}, {1, 10});
  h->Observe(0.5);
  h->Observe(5);
  h->Observe(50);
  std::string out = r.Render();
  EXPECT_NE(out.find("lat_ms_bucket{le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("lat_ms_bucket{le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("lat_ms_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("lat_ms_count 3\n"), std::string::npos);
  EXPECT_NE(out.find("lat_ms_sum 55.5\n"), std::string::npos);
}

TEST(MetricsTest, CollectorsAddSamplesAndEscapeLabels) {
  Registry r;
  int id = r.AddCollector([](SampleWriter& w) {
    w.Family("log_size_bytes", "Log size.", "gauge");
    w.Sample("log_size_bytes", {{"topic", "a\"b"}, {"partition", "0"}}, 42);
  });
  EXPECT_NE(r.Render().find("log_size_bytes{topic=\"a\\\"b\",partition=\"0\"} 42\n"),
            std::string::npos);
  r.RemoveCollector(id);
  EXPECT_EQ(r.Render().find("log_size_bytes"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  Counter* c = r.GetCounter("n", "h");
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([c] {
      for (int i = 0; i < 10000; ++i) c->Inc();
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(c->value(), 40000);
}

}  // namespace
}  // namespace gregor::metrics
