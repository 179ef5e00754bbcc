// Interop between Gregor's record batches and Apache Kafka's Java client
// (kafka-clients 4.1.1), without a broker:
//
//   java -cp 'lib/*' RecordsInterop.java gen   DIR   writes java_*.bin + java_*.txt
//   java -cp 'lib/*' RecordsInterop.java check DIR   parses every *.bin in DIR with
//                                                   MemoryRecords and compares it
//                                                   with the *.txt manifest beside it
//
// Batches are built with MemoryRecords.builder, the class the Java producer
// and broker use. The manifest format is described in README.md. Run by
// interop.sh; see there for how the class path is fetched.

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;

public class RecordsInterop {
  static final long BASE_TS = 1700000000000L;

  // The shared record set (same rules as gen_python.py): null, empty and
  // large keys/values, headers with null values and empty keys, timestamps
  // that go backwards (negative deltas).
  static byte[] key(int i) {
    if (i % 7 == 3) return null;
    if (i % 11 == 5) return new byte[0];
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(int i) {
    if (i % 13 == 6) return null;
    if (i == 10) {
      // 70 000 bytes: an incompressible half (a 31-bit LCG) and a repetitive
      // half, so compressed batches hold both stored and compressed blocks
      // and span several lz4 (64 KiB) and snappy (32 KiB) blocks.
      byte[] big = new byte[70_000];
      long x = 1;
      for (int j = 0; j < big.length; j++) {
        x = (x * 1103515245L + 12345L) & 0x7fffffffL;
        big[j] = (byte) (j < 35_000 ? (x >> 16) : (j % 251));
      }
      return big;
    }
    return ("value-" + i + "-").repeat(i % 5 + 1).getBytes(StandardCharsets.UTF_8);
  }

  static Header[] headers(int i) {
    if (i % 4 == 0) {
      return new Header[] {new RecordHeader("h1", "x".getBytes(StandardCharsets.UTF_8)),
                           new RecordHeader("h-null", null)};
    }
    if (i % 6 == 1) return new Header[] {new RecordHeader("", new byte[0])};
    return new Header[0];
  }

  static long timestamp(int i) { return BASE_TS + 3L * i - (i % 5 == 2 ? 50 : 0); }

  static String hex(byte[] b) { return b == null ? "-" : "=" + HexFormat.of().formatHex(b); }

  static String hex(ByteBuffer b) {
    if (b == null) return "-";
    byte[] copy = new byte[b.remaining()];
    b.duplicate().get(copy);
    return hex(copy);
  }

  static String batchLine(RecordBatch b) {
    return String.format("batch %d %d %d %d %d %d %d %d %d %d", b.baseOffset(),
        b.compressionType().id, b.countOrNull(), b.producerId(), b.producerEpoch(),
        b.baseSequence(), b.isTransactional() ? 1 : 0, b.isControlBatch() ? 1 : 0,
        b.partitionLeaderEpoch(), b.timestampType() == TimestampType.LOG_APPEND_TIME ? 1 : 0);
  }

  static String recordLine(RecordBatch batch, Record r) {
    StringBuilder sb = new StringBuilder();
    if (batch.isControlBatch()) {
      ControlRecordType type = ControlRecordType.parse(r.key());
      if (type == ControlRecordType.ABORT || type == ControlRecordType.COMMIT) {
        EndTransactionMarker m = EndTransactionMarker.deserialize(r);
        return String.format("control %d %d %s %d", r.offset(), r.timestamp(), type.name(),
                             m.coordinatorEpoch());
      }
    }
    sb.append("record ").append(r.offset()).append(' ').append(r.timestamp()).append(' ')
      .append(hex(r.key())).append(' ').append(hex(r.value())).append(' ')
      .append(r.headers().length);
    for (Header h : r.headers()) {
      sb.append(' ').append(hex(h.key().getBytes(StandardCharsets.UTF_8))).append(' ')
        .append(hex(h.value()));
    }
    return sb.toString();
  }

  // The manifest of a buffer of batches, as Kafka's own reader sees it.
  static String describe(ByteBuffer buf) {
    StringBuilder sb = new StringBuilder();
    MemoryRecords records = MemoryRecords.readableRecords(buf);
    for (MutableRecordBatch b : records.batches()) {
      b.ensureValid();  // CRC and size
      sb.append(batchLine(b)).append('\n');
      for (Record r : b) {
        r.ensureValid();
        sb.append(recordLine(b, r)).append('\n');
      }
    }
    return sb.toString();
  }

  static ByteBuffer dataBatch(Compression compression, int n, long baseOffset, long producerId,
                              short epoch, int baseSequence, boolean transactional) {
    ByteBuffer buf = ByteBuffer.allocate(1 << 21);
    MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE,
        compression, TimestampType.CREATE_TIME, baseOffset, RecordBatch.NO_TIMESTAMP,
        producerId, epoch, baseSequence, transactional, RecordBatch.NO_PARTITION_LEADER_EPOCH);
    for (int i = 0; i < n; i++) {
      b.appendWithOffset(baseOffset + i, timestamp(i), key(i), value(i), headers(i));
    }
    return b.build().buffer();
  }

  static void write(Path dir, String name, ByteBuffer data) throws IOException {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    Files.write(dir.resolve(name + ".bin"), bytes);
    Files.writeString(dir.resolve(name + ".txt"), describe(ByteBuffer.wrap(bytes)));
  }

  static void gen(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir, "java_none", dataBatch(Compression.NONE, 40, 0, -1, (short) -1, -1, false));
    write(dir, "java_gzip", dataBatch(Compression.gzip().build(), 40, 0, -1, (short) -1, -1, false));
    write(dir, "java_snappy", dataBatch(Compression.snappy().build(), 40, 0, -1, (short) -1, -1, false));
    write(dir, "java_lz4", dataBatch(Compression.lz4().build(), 40, 0, -1, (short) -1, -1, false));
    write(dir, "java_zstd", dataBatch(Compression.zstd().build(), 40, 0, -1, (short) -1, -1, false));
    // Small batches (6 records), also used as fuzzing seeds.
    write(dir, "java_small_none", dataBatch(Compression.NONE, 6, 0, -1, (short) -1, -1, false));
    write(dir, "java_small_gzip", dataBatch(Compression.gzip().build(), 6, 0, -1, (short) -1, -1, false));
    write(dir, "java_small_snappy", dataBatch(Compression.snappy().build(), 6, 0, -1, (short) -1, -1, false));
    write(dir, "java_small_lz4", dataBatch(Compression.lz4().build(), 6, 0, -1, (short) -1, -1, false));
    write(dir, "java_small_zstd", dataBatch(Compression.zstd().build(), 6, 0, -1, (short) -1, -1, false));
    // A transaction as it lands in a log: two transactional batches and a
    // COMMIT marker, concatenated like a segment region.
    ByteBuffer a = dataBatch(Compression.lz4().build(), 5, 100, 4242, (short) 3, 0, true);
    ByteBuffer b = dataBatch(Compression.NONE, 3, 105, 4242, (short) 3, 5, true);
    ByteBuffer c = MemoryRecords.withEndTransactionMarker(108, BASE_TS + 999, 7, 4242, (short) 3,
        new EndTransactionMarker(ControlRecordType.COMMIT, 11)).buffer();
    ByteBuffer all = ByteBuffer.allocate(a.remaining() + b.remaining() + c.remaining());
    all.put(a).put(b).put(c).flip();
    write(dir, "java_txn_commit", all);
    write(dir, "java_txn_abort", MemoryRecords.withEndTransactionMarker(0, BASE_TS, 0, 99,
        (short) 0, new EndTransactionMarker(ControlRecordType.ABORT, 4)).buffer());
  }

  static int check(Path dir) throws IOException {
    int checked = 0, failed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.bin")) {
      for (Path bin : files) {
        String name = bin.getFileName().toString().replaceAll("\\.bin$", "");
        Path txt = dir.resolve(name + ".txt");
        String expected = Files.readString(txt);
        String got;
        try {
          got = describe(ByteBuffer.wrap(Files.readAllBytes(bin)));
        } catch (RuntimeException e) {
          got = "exception: " + e;
        }
        checked++;
        if (!got.equals(expected)) {
          failed++;
          System.out.println("MISMATCH " + name + "\n--- expected\n" + expected + "--- java read\n" + got);
        } else {
          System.out.println("ok " + name);
        }
      }
    }
    System.out.println("java checked " + checked + " files, " + failed + " mismatches");
    return checked > 0 && failed == 0 ? 0 : 1;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: RecordsInterop gen|check DIR");
      System.exit(2);
    }
    Path dir = Paths.get(args[1]);
    if (args[0].equals("gen")) {
      gen(dir);
    } else {
      System.exit(check(dir));
    }
  }
}
