// The replication suite's Java producer: sends numbered records
// ("<tag>-<n:09d>" to partition n % partitions) at a fixed rate with an
// idempotent acks=all KafkaProducer until its stdin closes, then flushes and
// exits. Prints one line per event on stdout for harness.py:
//   S n               record n handed to the producer
//   A n partition off record n acknowledged at that offset
//   F n error         record n failed
//   E message         anything else that went wrong
//
// Usage: AckedProducer BOOTSTRAP TOPIC TAG PARTITIONS RATE
package dev.gregor.replication;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class AckedProducer {
  private AckedProducer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: AckedProducer BOOTSTRAP TOPIC TAG PARTITIONS RATE");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    String tag = args[2];
    int partitions = Integer.parseInt(args[3]);
    int rate = Integer.parseInt(args[4]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);

    AtomicBoolean stop = new AtomicBoolean(false);
    Thread stdinWatcher = new Thread(() -> {
      try {
        InputStream in = System.in;
        while (in.read() >= 0) {
          // Ignore input; EOF means stop.
        }
      } catch (Exception e) {
        // Treat a broken stdin as EOF.
      }
      stop.set(true);
    });
    stdinWatcher.setDaemon(true);
    stdinWatcher.start();

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
    props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "1000");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "replication-" + tag);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      long seq = 0;
      while (!stop.get()) {
        final long n = seq;
        byte[] value = String.format("%s-%09d", tag, n).getBytes(StandardCharsets.UTF_8);
        int partition = (int) (n % partitions);
        producer.send(new ProducerRecord<>(topic, partition, null, value), (md, err) -> {
          synchronized (out) {
            if (err != null) {
              out.println("F " + n + " " + err.getClass().getSimpleName() + ": " + err.getMessage());
            } else {
              out.println("A " + n + " " + md.partition() + " " + md.offset());
            }
            out.flush();
          }
        });
        synchronized (out) {
          out.println("S " + n);
          out.flush();
        }
        seq++;
        long aheadNanos = seq * 1_000_000_000L / rate - (System.nanoTime() - t0);
        if (aheadNanos > 0) Thread.sleep(aheadNanos / 1_000_000L, (int) (aheadNanos % 1_000_000L));
      }
      producer.flush();
    } catch (Exception e) {
      synchronized (out) {
        out.println("E " + e);
        out.flush();
      }
      System.exit(1);
    }
    out.flush();
  }
}
