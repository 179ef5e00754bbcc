package dev.gregor.interop;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The interop scenario with the Java client, default settings (idempotent producer, classic
 * group protocol): Admin.createTopics/describeTopics; one producer per compression codec;
 * a group of two consumers that commit; Admin.listConsumerGroups/describeConsumerGroups/
 * listConsumerGroupOffsets/listOffsets while both are members; more records; a restarted
 * group must resume at the commit. Writes produced.jsonl and consumed.jsonl (see
 * tests/interop/spec.py, which this file's record functions mirror).
 */
public final class Scenario {
  static final String ORIGIN = "gregor-interop";
  static final int KEYS = 37;

  final String bootstrap;
  final String topic;
  final String group;
  final Path out;
  final int count;
  final int extra;
  final int partitions;
  final List<String> codecs;
  final long timeoutMs;
  final long quietMs = 2000;

  final Object writeLock = new Object();
  PrintWriter consumed;
  final Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();

  Scenario(Map<String, String> a) {
    bootstrap = need(a, "bootstrap");
    topic = need(a, "topic");
    group = need(a, "group");
    out = Path.of(need(a, "out"));
    count = Integer.parseInt(a.getOrDefault("count", "10000"));
    extra = Integer.parseInt(a.getOrDefault("extra", "30"));
    partitions = Integer.parseInt(a.getOrDefault("partitions", "3"));
    codecs = List.of(a.getOrDefault("codecs", "none,gzip,snappy,lz4,zstd").split(","));
    timeoutMs = (long) (Double.parseDouble(a.getOrDefault("timeout", "120")) * 1000);
    seen.put("group", ConcurrentHashMap.newKeySet());
    seen.put("resume", ConcurrentHashMap.newKeySet());
  }

  static String need(Map<String, String> a, String k) {
    String v = a.get(k);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + k);
    }
    return v;
  }

  // ---------------------------------------------------------------- the records (spec.py)

  String codecOf(int i) {
    return i >= count ? "none" : codecs.get((int) ((long) i * codecs.size() / count));
  }

  static String keyOf(int i) {
    return "key-" + (i % KEYS);
  }

  String valueOf(int i) {
    return "seq=" + i + ";codec=" + codecOf(i) + ";pad=" + "x".repeat(i % 64);
  }

  List<String[]> headersOf(int i) {
    if (i % 3 != 0) {
      return List.of();
    }
    return List.of(new String[] {"origin", ORIGIN}, new String[] {"codec", codecOf(i)});
  }

  static int seqOf(String value) {
    if (value == null || !value.startsWith("seq=")) {
      return -1;
    }
    int end = value.indexOf(';');
    try {
      return Integer.parseInt(value.substring(4, end < 0 ? value.length() : end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---------------------------------------------------------------- JSON output

  static String json(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  void record(String phase, String member, ConsumerRecord<String, String> r) {
    StringBuilder h = new StringBuilder("[");
    for (Header header : r.headers()) {
      if (h.length() > 1) {
        h.append(',');
      }
      String v = header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
      h.append('[').append(json(header.key())).append(',').append(json(v)).append(']');
    }
    h.append(']');
    String line = String.format("{\"phase\":%s,\"member\":%s,\"p\":%d,\"o\":%d,\"k\":%s,\"v\":%s,\"h\":%s}",
        json(phase), json(member), r.partition(), r.offset(), json(r.key()), json(r.value()), h);
    synchronized (writeLock) {
      consumed.println(line);
    }
    int seq = seqOf(r.value());
    if (seq >= 0) {
      seen.get(phase).add(seq);
    }
  }

  int seenIn(String phase, int lo, int hi) {
    int n = 0;
    for (int s : seen.get(phase)) {
      if (s >= lo && s < hi) {
        n++;
      }
    }
    return n;
  }

  static void say(String msg) {
    System.err.println("[java] " + msg);
  }

  static final class Failure extends RuntimeException {
    Failure(String msg) {
      super(msg);
    }
  }

  // ---------------------------------------------------------------- clients

  Properties common(String clientId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  void produce(int lo, int hi, boolean perCodec, PrintWriter produced) throws Exception {
    Map<String, List<Integer>> chunks = new java.util.LinkedHashMap<>();
    for (int i = lo; i < hi; i++) {
      chunks.computeIfAbsent(perCodec ? codecOf(i) : "none", k -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<String, List<Integer>> chunk : chunks.entrySet()) {
      Properties p = common("interop-java-producer-" + chunk.getKey());
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, chunk.getKey());
      p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      List<Future<RecordMetadata>> futures = new ArrayList<>();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (int i : chunk.getValue()) {
          RecordHeaders headers = new RecordHeaders();
          for (String[] h : headersOf(i)) {
            headers.add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
          }
          futures.add(producer.send(new ProducerRecord<>(topic, null, keyOf(i), valueOf(i), headers)));
        }
        producer.flush();
        List<Integer> seqs = chunk.getValue();
        for (int j = 0; j < seqs.size(); j++) {
          RecordMetadata md = futures.get(j).get(60, TimeUnit.SECONDS);
          produced.printf("{\"seq\":%d,\"p\":%d,\"o\":%d}%n", seqs.get(j), md.partition(), md.offset());
        }
      }
      say("produced " + chunk.getValue().size() + " records with codec " + chunk.getKey());
    }
  }

  KafkaConsumer<String, String> consumer(String member) {
    Properties p = common("interop-java-" + member);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  static boolean caughtUp(KafkaConsumer<String, String> c) {
    Set<TopicPartition> asg = c.assignment();
    if (asg.isEmpty()) {
      return false;
    }
    Map<TopicPartition, Long> ends = c.endOffsets(asg);
    for (TopicPartition tp : asg) {
      if (c.position(tp) < ends.get(tp)) {
        return false;
      }
    }
    return true;
  }

  Map<Integer, Long> endOffsets(Admin admin) throws Exception {
    Map<TopicPartition, OffsetSpec> req = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      req.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<Integer, Long> ends = new TreeMap<>();
    admin.listOffsets(req).all().get().forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
    return ends;
  }

  Map<Integer, Long> committed(Admin admin) throws Exception {
    Map<Integer, Long> offs = new TreeMap<>();
    Map<TopicPartition, OffsetAndMetadata> m =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    m.forEach((tp, om) -> offs.put(tp.partition(), om.offset()));
    return offs;
  }

  @SuppressWarnings("deprecation") // listConsumerGroups: the API the brief names; listGroups is its 4.1 successor.
  void checkListed(Admin admin) throws Exception {
    Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all().get();
    for (ConsumerGroupListing g : groups) {
      if (g.groupId().equals(group)) {
        return;
      }
    }
    throw new Failure("listConsumerGroups: " + group + " not listed");
  }

  ConsumerGroupDescription describe(Admin admin) throws Exception {
    return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
  }

  // ---------------------------------------------------------------- scenario

  void run() throws Exception {
    Files.createDirectories(out);
    consumed = new PrintWriter(Files.newBufferedWriter(out.resolve("consumed.jsonl")));
    PrintWriter produced = new PrintWriter(Files.newBufferedWriter(out.resolve("produced.jsonl")));
    try (Admin admin = Admin.create(common("interop-java-admin"))) {
      int brokers = admin.describeCluster().nodes().get().size();
      short rf = (short) Math.min(3, brokers);
      admin.createTopics(List.of(new NewTopic(topic, partitions, rf))).all().get();
      TopicDescription td = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      if (td.partitions().size() != partitions) {
        throw new Failure("describeTopics: " + td.partitions().size() + " partitions, want " + partitions);
      }
      for (TopicPartitionInfo pi : td.partitions()) {
        if (pi.leader() == null || pi.replicas().size() != rf) {
          throw new Failure("describeTopics: partition " + pi.partition() + " leader " + pi.leader()
              + " replicas " + pi.replicas());
        }
      }
      say("created topic " + topic + " (" + partitions + " partitions, RF " + rf + ", id " + td.topicId() + ")");

      produce(0, count, true, produced);
      groupPhase(admin);

      produce(count, count + extra, false, produced);
      produced.close();
      resumePhase(admin);
    } finally {
      consumed.close();
      produced.close();
    }
  }

  void groupPhase(Admin admin) throws Exception {
    List<String> members = List.of("c1", "c2");
    Map<String, Boolean> done = new ConcurrentHashMap<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    CountDownLatch committed = new CountDownLatch(members.size());
    CountDownLatch described = new CountDownLatch(1);
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Thread> threads = new ArrayList<>();
    for (String m : members) {
      Thread t = new Thread(() -> {
        try (KafkaConsumer<String, String> c = consumer(m)) {
          c.subscribe(List.of(topic));
          boolean ok = false;
          while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
              record("group", m, r);
            }
            // Re-evaluated every round: a rebalance can hand a member a partition
            // it has not read to the end.
            done.put(m, seenIn("group", 0, count) >= count && caughtUp(c));
            if (done.size() == members.size() && !done.containsValue(false)) {
              ok = true;
              break;
            }
          }
          if (!ok) {
            errors.add(m + ": timed out with " + seenIn("group", 0, count) + " of " + count + " records");
            committed.countDown();
            return;
          }
          c.commitSync();
          committed.countDown();
          // Stay a member (heartbeats run in the background) while the group is described.
          described.await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          errors.add(m + ": " + e);
          committed.countDown();
        }
      }, "member-" + m);
      threads.add(t);
      t.start();
    }
    committed.await();
    try {
      if (!errors.isEmpty()) {
        throw new Failure("group consume: " + errors);
      }
      say("group of 2 consumed " + seenIn("group", 0, count) + " records and committed");
      checkListed(admin);
      ConsumerGroupDescription d = describe(admin);
      TreeSet<Integer> assigned = new TreeSet<>();
      List<String> shape = new ArrayList<>();
      for (MemberDescription md : d.members()) {
        TreeSet<Integer> ps = new TreeSet<>();
        md.assignment().topicPartitions().forEach(tp -> ps.add(tp.partition()));
        assigned.addAll(ps);
        shape.add(md.clientId() + "=" + ps);
      }
      if (d.groupState() != GroupState.STABLE || d.members().size() != 2 || assigned.size() != partitions) {
        throw new Failure("describeConsumerGroups: state " + d.groupState() + ", members " + shape
            + "; want STABLE, 2 members sharing " + partitions + " partitions");
      }
      Map<Integer, Long> ends = endOffsets(admin);
      Map<Integer, Long> offs = committed(admin);
      if (!offs.equals(ends)) {
        throw new Failure("committed offsets " + offs + " != end offsets " + ends);
      }
      say("group " + group + ": " + d.groupState() + ", members " + shape + ", assignor "
          + d.partitionAssignor() + "; committed = end offsets " + offs);
    } finally {
      described.countDown();
      for (Thread t : threads) {
        t.join();
      }
    }
  }

  void resumePhase(Admin admin) throws Exception {
    try (KafkaConsumer<String, String> c = consumer("r1")) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + timeoutMs;
      long quietUntil = -1;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
          record("resume", "r1", r);
        }
        if (quietUntil < 0 && seenIn("resume", count, count + extra) >= extra) {
          quietUntil = System.currentTimeMillis() + quietMs;
        }
        if (quietUntil >= 0 && System.currentTimeMillis() >= quietUntil) {
          break;
        }
      }
      c.commitSync();
    }
    ConsumerGroupDescription d = describe(admin);
    Map<Integer, Long> ends = endOffsets(admin);
    Map<Integer, Long> offs = committed(admin);
    if (d.groupState() != GroupState.EMPTY || !d.members().isEmpty()) {
      throw new Failure("after close: group state " + d.groupState() + " with " + d.members().size()
          + " members, want EMPTY");
    }
    if (!offs.equals(ends)) {
      throw new Failure("after resume: committed offsets " + offs + " != end offsets " + ends);
    }
    say("restarted group consumed " + seenIn("resume", 0, count + extra) + " records; group EMPTY, committed "
        + offs);
  }

  public static void main(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (!argv[i].startsWith("--")) {
        System.err.println("bad argument " + argv[i]);
        System.exit(2);
      }
      a.put(argv[i].substring(2), argv[i + 1]);
    }
    String version = org.apache.kafka.common.utils.AppInfoParser.getVersion();
    try {
      new Scenario(a).run();
    } catch (Failure e) {
      System.out.println("FAIL java kafka-clients " + version + ": " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      e.printStackTrace();
      System.out.println("FAIL java kafka-clients " + version + ": " + e);
      System.exit(1);
    }
    System.out.println("java kafka-clients " + version + ": scenario steps done");
    System.exit(0);
  }

}
