// rdkafka_bench: the librdkafka-based load generator of tests/bench/run.sh.
//
// One small program, built by run.sh with the system's librdkafka (Debian's
// librdkafka-dev), run the same way against Apache Kafka and Gregor:
//
//   rdkafka_bench produce  -b HOSTS -t TOPIC -n COUNT [-s SIZE] [-a ACKS] [-r RATE] [-X k=v]...
//       Produces COUNT records of SIZE bytes (default 1024) as fast as possible
//       (or at RATE records/s) and prints one line:
//         records=N seconds=S records_per_sec=R mb_per_sec=M p50_ms=.. p99_ms=.. p999_ms=..
//       Latency is send -> delivery report, per record.
//   rdkafka_bench consume  -b HOSTS -t TOPIC -n COUNT [-X k=v]...
//       Reads COUNT records from the start of every partition (assign, no group)
//       and prints: records=N bytes=B seconds=S mb_per_sec=M
//       The clock starts at the first record, so connection set-up is excluded.
//   rdkafka_bench failover -b HOSTS -t TOPIC -p PARTITION -k KILL_FILE [-w TIMEOUT_S]
//       Prints "leader=ID" for the partition, then produces one acks=all record
//       at a time to it. Once KILL_FILE exists (it holds the epoch milliseconds
//       of a SIGKILL of that leader, written by the caller) it waits for the
//       first record acknowledged after that instant and prints
//       "failover_ms=X" (ack time minus kill time).
//   rdkafka_bench create   -b HOSTS -t TOPIC -P PARTITIONS -R RF [-c key=value]...
//   rdkafka_bench delete   -b HOSTS -t TOPIC
//       CreateTopics (with topic configs) / DeleteTopics through the admin API.
//   rdkafka_bench isr      -b HOSTS -t TOPIC -i WANT [-w TIMEOUT_S]
//       Waits until every partition of TOPIC has a leader and at least WANT
//       in-sync replicas; exit status 0 when so, 1 on timeout.
//
// Exit status: 0 on success, 1 on a failed run (error printed on stderr),
// 2 on bad arguments. Single-threaded apart from librdkafka's own threads.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Args {
  std::string mode;
  std::string bootstrap;
  std::string topic;
  int64_t count = 0;
  int size = 1024;
  std::string acks = "all";
  double rate = -1;
  int partition = 0;
  std::string kill_file;
  int want_isr = 0;
  int timeout_s = 60;
  int partitions = 1;
  int replication_factor = 1;
  std::vector<std::pair<std::string, std::string>> topic_configs;
  std::vector<std::pair<std::string, std::string>> extra;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr, "rdkafka_bench: %s\n(see the comment at the top of rdkafka_bench.cc)\n", why);
  std::exit(2);
}

Args ParseArgs(int argc, char** argv) {
  if (argc < 2) Usage("missing mode");
  Args a;
  a.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) Usage(("missing value for " + flag).c_str());
    std::string v = argv[++i];
    if (flag == "-b") a.bootstrap = v;
    else if (flag == "-t") a.topic = v;
    else if (flag == "-n") a.count = std::atoll(v.c_str());
    else if (flag == "-s") a.size = std::atoi(v.c_str());
    else if (flag == "-a") a.acks = v;
    else if (flag == "-r") a.rate = std::atof(v.c_str());
    else if (flag == "-p") a.partition = std::atoi(v.c_str());
    else if (flag == "-k") a.kill_file = v;
    else if (flag == "-i") a.want_isr = std::atoi(v.c_str());
    else if (flag == "-w") a.timeout_s = std::atoi(v.c_str());
    else if (flag == "-P") a.partitions = std::atoi(v.c_str());
    else if (flag == "-R") a.replication_factor = std::atoi(v.c_str());
    else if (flag == "-c") {
      size_t eq = v.find('=');
      if (eq == std::string::npos) Usage("-c wants key=value");
      a.topic_configs.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    }
    else if (flag == "-X") {
      size_t eq = v.find('=');
      if (eq == std::string::npos) Usage("-X wants key=value");
      a.extra.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else {
      Usage(("unknown flag " + flag).c_str());
    }
  }
  if (a.bootstrap.empty() || a.topic.empty()) Usage("-b and -t are required");
  if (a.size < 0 || a.size > (16 << 20)) Usage("-s must be in [0, 16 MiB]");
  if (a.count < 0 || a.count > 1000000000) Usage("-n must be in [0, 1e9]");
  if (a.partitions <= 0 || a.partitions > 100000) Usage("-P must be in [1, 100000]");
  if (a.replication_factor <= 0 || a.replication_factor > 16) Usage("-R must be in [1, 16]");
  if (a.timeout_s <= 0 || a.timeout_s > 3600) Usage("-w must be in [1, 3600]");
  return a;
}

bool Set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "rdkafka_bench: config %s=%s: %s\n", k.c_str(), v.c_str(), err);
    return false;
  }
  return true;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t idx = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + idx, v.end());
  return v[idx];
}

// ------------------------------------------------------------------ produce

struct ProduceState {
  std::vector<int64_t> sent_us;   // per record: send time
  std::vector<double> latency_ms;
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string first_error;
  int64_t last_ack_wall_ms = 0;  // failover: wall time of the last success
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<ProduceState*>(opaque);
  auto idx = reinterpret_cast<intptr_t>(m->_private);
  if (m->err) {
    if (st->failed++ == 0) st->first_error = rd_kafka_err2str(m->err);
    return;
  }
  ++st->delivered;
  st->last_ack_wall_ms = WallMillis();
  if (idx >= 0 && static_cast<size_t>(idx) < st->sent_us.size()) {
    st->latency_ms.push_back((NowMicros() - st->sent_us[idx]) / 1000.0);
  }
}

rd_kafka_t* NewProducer(const Args& a, ProduceState* st, bool throughput) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  bool ok = Set(conf, "bootstrap.servers", a.bootstrap) && Set(conf, "acks", a.acks);
  if (throughput) {
    // The same batching the Java ProducerPerformance runs get.
    ok = ok && Set(conf, "linger.ms", "5") && Set(conf, "batch.size", "131072") &&
         Set(conf, "queue.buffering.max.kbytes", "262144") &&
         Set(conf, "queue.buffering.max.messages", "1000000");
  } else {
    ok = ok && Set(conf, "linger.ms", "0") && Set(conf, "retry.backoff.ms", "20") &&
         Set(conf, "topic.metadata.refresh.fast.interval.ms", "50") &&
         Set(conf, "reconnect.backoff.ms", "20") && Set(conf, "reconnect.backoff.max.ms", "200") &&
         Set(conf, "message.timeout.ms", std::to_string(a.timeout_s * 1000));
  }
  for (const auto& [k, v] : a.extra) ok = ok && Set(conf, k, v);
  if (!ok) std::exit(2);
  rd_kafka_conf_set_opaque(conf, st);
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "rdkafka_bench: producer: %s\n", err);
    std::exit(1);
  }
  return rk;
}

int Produce(const Args& a) {
  if (a.count <= 0) Usage("produce needs -n > 0");
  ProduceState st;
  st.sent_us.resize(a.count);
  st.latency_ms.reserve(a.count);
  rd_kafka_t* rk = NewProducer(a, &st, /*throughput=*/true);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, a.topic.c_str(), nullptr);
  std::vector<char> payload(a.size);
  for (int i = 0; i < a.size; ++i) payload[i] = static_cast<char>('a' + i % 26);

  const int64_t start = NowMicros();
  for (int64_t i = 0; i < a.count; ++i) {
    if (a.rate > 0) {
      int64_t due = start + static_cast<int64_t>(i * 1e6 / a.rate);
      while (NowMicros() < due) rd_kafka_poll(rk, std::max<int64_t>(0, (due - NowMicros()) / 1000));
    }
    st.sent_us[i] = NowMicros();
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload.data(),
                            payload.size(), nullptr, 0,
                            reinterpret_cast<void*>(static_cast<intptr_t>(i))) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "rdkafka_bench: produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
        return 1;
      }
      rd_kafka_poll(rk, 1);
      st.sent_us[i] = NowMicros();
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 300 * 1000);
  const double secs = (NowMicros() - start) / 1e6;
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  if (st.failed > 0) {
    std::fprintf(stderr, "rdkafka_bench: %lld records failed (first: %s)\n",
                 static_cast<long long>(st.failed), st.first_error.c_str());
    return 1;
  }
  const double mb = static_cast<double>(a.count) * a.size / (1 << 20);
  std::printf("records=%lld seconds=%.3f records_per_sec=%.1f mb_per_sec=%.2f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f\n",
              static_cast<long long>(st.delivered), secs, st.delivered / secs, mb / secs,
              Percentile(st.latency_ms, 0.5), Percentile(st.latency_ms, 0.99),
              Percentile(st.latency_ms, 0.999));
  return 0;
}

// ------------------------------------------------------------------ metadata

// Returns the leader of `partition` (or -1) and, through `min_isr`, the
// smallest ISR over the topic's partitions (-1 when some have no leader).
int32_t Leader(rd_kafka_t* rk, const std::string& topic, int partition, int* min_isr,
               int* partitions = nullptr) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int32_t leader = -1;
  *min_isr = -1;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 3000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int t = 0; t < md->topic_cnt; ++t) {
      const rd_kafka_metadata_topic_t& mt = md->topics[t];
      if (mt.err || mt.partition_cnt == 0) continue;
      int smallest = 1 << 30;
      for (int p = 0; p < mt.partition_cnt; ++p) {
        const rd_kafka_metadata_partition_t& mp = mt.partitions[p];
        if (mp.id == partition) leader = mp.leader;
        smallest = std::min(smallest, mp.leader < 0 ? -1 : mp.isr_cnt);
      }
      *min_isr = smallest;
      if (partitions != nullptr) *partitions = mt.partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  return leader;
}

int WaitIsr(const Args& a) {
  ProduceState st;
  rd_kafka_t* rk = NewProducer(a, &st, /*throughput=*/false);
  const int64_t deadline = NowMicros() + a.timeout_s * 1000000LL;
  int min_isr = -1, partitions = 0;
  while (NowMicros() < deadline) {
    Leader(rk, a.topic, 0, &min_isr, &partitions);
    if (min_isr >= a.want_isr) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (min_isr < a.want_isr) {
    std::fprintf(stderr, "rdkafka_bench: %s: smallest ISR %d after %d s (want %d)\n",
                 a.topic.c_str(), min_isr, a.timeout_s, a.want_isr);
    rd_kafka_destroy(rk);
    return 1;
  }
  // Metadata can name a leader before that broker serves as one: the topic
  // is ready once one record per partition is acknowledged (acks as given).
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, a.topic.c_str(), nullptr);
  const char payload[] = "warm-up";
  for (int p = 0; p < partitions; ++p) {
    if (rd_kafka_produce(rkt, p, RD_KAFKA_MSG_F_COPY, const_cast<char*>(payload), sizeof(payload) - 1,
                         nullptr, 0, reinterpret_cast<void*>(intptr_t{-1})) != 0) {
      std::fprintf(stderr, "rdkafka_bench: warm-up produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
      break;
    }
  }
  rd_kafka_flush(rk, a.timeout_s * 1000);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  if (st.failed > 0 || st.delivered < partitions) {
    std::fprintf(stderr, "rdkafka_bench: %s: warm-up produced %lld of %d (%s)\n", a.topic.c_str(),
                 static_cast<long long>(st.delivered), partitions, st.first_error.c_str());
    return 1;
  }
  return 0;
}

// ------------------------------------------------------------------ failover

int Failover(const Args& a) {
  if (a.kill_file.empty()) Usage("failover needs -k KILL_FILE");
  ProduceState st;
  rd_kafka_t* rk = NewProducer(a, &st, /*throughput=*/false);
  int min_isr = -1;
  int32_t leader = Leader(rk, a.topic, a.partition, &min_isr);
  if (leader < 0) {
    std::fprintf(stderr, "rdkafka_bench: no leader for %s-%d\n", a.topic.c_str(), a.partition);
    return 1;
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, a.topic.c_str(), nullptr);
  char payload[100];
  std::memset(payload, 'f', sizeof(payload));
  bool announced = false;
  int64_t kill_ms = -1;
  const int64_t deadline = NowMicros() + a.timeout_s * 1000000LL;
  while (NowMicros() < deadline) {
    const int64_t before = st.delivered + st.failed;
    if (rd_kafka_produce(rkt, a.partition, RD_KAFKA_MSG_F_COPY, payload, sizeof(payload), nullptr,
                         0, reinterpret_cast<void*>(intptr_t{-1})) != 0) {
      std::fprintf(stderr, "rdkafka_bench: produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
      return 1;
    }
    // One record at a time: wait for its delivery report.
    while (st.delivered + st.failed == before && NowMicros() < deadline) {
      rd_kafka_poll(rk, 5);
      if (kill_ms < 0 && access(a.kill_file.c_str(), R_OK) == 0) {
        FILE* f = std::fopen(a.kill_file.c_str(), "r");
        long long v = -1;
        if (f != nullptr) {
          if (std::fscanf(f, "%lld", &v) != 1) v = -1;
          std::fclose(f);
        }
        kill_ms = v;
      }
    }
    if (!announced && st.delivered > 0) {
      // The caller kills the leader once this line appears: produce works.
      std::printf("leader=%d\n", leader);
      std::fflush(stdout);
      announced = true;
    }
    if (kill_ms > 0 && st.delivered > before && st.last_ack_wall_ms >= kill_ms) {
      std::printf("failover_ms=%lld\n", static_cast<long long>(st.last_ack_wall_ms - kill_ms));
      rd_kafka_topic_destroy(rkt);
      rd_kafka_destroy(rk);
      return 0;
    }
    if (!announced && st.failed > 0) {
      std::fprintf(stderr, "rdkafka_bench: produce before the kill failed: %s\n", st.first_error.c_str());
      return 1;
    }
    if (kill_ms < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr, "rdkafka_bench: no acknowledged record within %d s of the kill\n", a.timeout_s);
  return 1;
}

// ------------------------------------------------------------------ admin

// Runs one CreateTopics (create=true) or DeleteTopics request and checks the
// topic's result.
int Admin(const Args& a, bool create) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (!Set(conf, "bootstrap.servers", a.bootstrap)) return 2;
  for (const auto& [k, v] : a.extra) {
    if (!Set(conf, k, v)) return 2;
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "rdkafka_bench: admin client: %s\n", err);
    return 1;
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY);
  rd_kafka_AdminOptions_set_request_timeout(opts, a.timeout_s * 1000, err, sizeof(err));
  rd_kafka_AdminOptions_set_operation_timeout(opts, a.timeout_s * 1000, err, sizeof(err));
  rd_kafka_NewTopic_t* nt = nullptr;
  rd_kafka_DeleteTopic_t* dt = nullptr;
  if (create) {
    nt = rd_kafka_NewTopic_new(a.topic.c_str(), a.partitions, a.replication_factor, err, sizeof(err));
    if (nt == nullptr) {
      std::fprintf(stderr, "rdkafka_bench: %s\n", err);
      return 2;
    }
    for (const auto& [k, v] : a.topic_configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  } else {
    dt = rd_kafka_DeleteTopic_new(a.topic.c_str());
    rd_kafka_DeleteTopics(rk, &dt, 1, opts, q);
  }
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, (a.timeout_s + 5) * 1000);
  int rc = 0;
  if (ev == nullptr) {
    std::fprintf(stderr, "rdkafka_bench: no admin result within %d s\n", a.timeout_s);
    rc = 1;
  } else if (rd_kafka_event_error(ev)) {
    std::fprintf(stderr, "rdkafka_bench: admin: %s\n", rd_kafka_event_error_string(ev));
    rc = 1;
  } else {
    const rd_kafka_topic_result_t** res;
    size_t n = 0;
    if (create) {
      res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    } else {
      res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    }
    for (size_t i = 0; i < n; ++i) {
      if (rd_kafka_topic_result_error(res[i])) {
        std::fprintf(stderr, "rdkafka_bench: %s %s: %s\n", create ? "create" : "delete",
                     rd_kafka_topic_result_name(res[i]), rd_kafka_topic_result_error_string(res[i]));
        rc = 1;
      }
    }
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  if (nt != nullptr) rd_kafka_NewTopic_destroy(nt);
  if (dt != nullptr) rd_kafka_DeleteTopic_destroy(dt);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  return rc;
}

// ------------------------------------------------------------------ consume

int Consume(const Args& a) {
  if (a.count <= 0) Usage("consume needs -n > 0");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  bool ok = Set(conf, "bootstrap.servers", a.bootstrap) &&
            Set(conf, "group.id", "rdkafka-bench-" + std::to_string(getpid())) &&
            Set(conf, "enable.auto.commit", "false") && Set(conf, "auto.offset.reset", "earliest") &&
            Set(conf, "fetch.max.bytes", "52428800") &&
            Set(conf, "max.partition.fetch.bytes", "1048576");
  for (const auto& [k, v] : a.extra) ok = ok && Set(conf, k, v);
  if (!ok) return 2;
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "rdkafka_bench: consumer: %s\n", err);
    return 1;
  }
  rd_kafka_poll_set_consumer(rk);
  // Every partition of the topic, from the beginning.
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, a.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topic_cnt != 1 || md->topics[0].err) {
    std::fprintf(stderr, "rdkafka_bench: no metadata for %s\n", a.topic.c_str());
    return 1;
  }
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
  for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
    rd_kafka_topic_partition_list_add(parts, a.topic.c_str(), md->topics[0].partitions[p].id)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "rdkafka_bench: assign failed\n");
    return 1;
  }
  rd_kafka_topic_partition_list_destroy(parts);

  int64_t records = 0, bytes = 0, start = 0, last = NowMicros();
  while (records < a.count) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) {
      if (NowMicros() - last > a.timeout_s * 1000000LL) break;
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (records == 0) start = NowMicros();
      ++records;
      bytes += m->len;
      last = NowMicros();
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      std::fprintf(stderr, "rdkafka_bench: consume: %s\n", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
  const double secs = (last - start) / 1e6;
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  if (records < a.count) {
    std::fprintf(stderr, "rdkafka_bench: read %lld of %lld records (stalled %d s)\n",
                 static_cast<long long>(records), static_cast<long long>(a.count), a.timeout_s);
    return 1;
  }
  std::printf("records=%lld bytes=%lld seconds=%.3f mb_per_sec=%.2f\n", static_cast<long long>(records),
              static_cast<long long>(bytes), secs, bytes / (1024.0 * 1024.0) / secs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = ParseArgs(argc, argv);
  if (a.mode == "produce") return Produce(a);
  if (a.mode == "consume") return Consume(a);
  if (a.mode == "failover") return Failover(a);
  if (a.mode == "isr") return WaitIsr(a);
  if (a.mode == "create") return Admin(a, /*create=*/true);
  if (a.mode == "delete") return Admin(a, /*create=*/false);
  Usage("mode must be produce, consume, failover, create, delete or isr");
}
