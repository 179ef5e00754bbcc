#include "proto/kafka/records/compression.h"

#define ZSTD_STATIC_LINKING_ONLY  // for ZSTD_c_contentSizeFlag
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "gtest/gtest.h"

namespace gregor::kafka {
namespace {

const Compression kCodecs[] = {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                               Compression::kZstd};

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Text-like data that compresses well.
std::string Compressible(size_t n) {
  std::string s;
  s.reserve(n);
  for (size_t i = 0; s.size() < n; ++i) s += "record-" + std::to_string(i % 977) + ";";
  s.resize(n);
  return s;
}

std::string MustCompress(Compression c, std::string_view in, int level = kDefaultCompressionLevel) {
  std::string out;
  absl::Status s = Compress(c, in, &out, level);
  EXPECT_TRUE(s.ok()) << CompressionName(c) << ": " << s;
  return out;
}

TEST(CompressionTest, EveryCodecRoundTripsEverySize) {
  Compressor comp;
  Decompressor dec;
  for (Compression c : kCodecs) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{65536}, size_t{65537},
                     size_t{300000}, size_t{1} << 20}) {
      for (const std::string& in : {RandomBytes(n, static_cast<uint32_t>(n)), Compressible(n)}) {
        std::string z;
        ASSERT_TRUE(comp.Compress(c, in, &z).ok());
        std::string back;
        absl::Status s = dec.Decompress(c, z, &back);
        ASSERT_TRUE(s.ok()) << CompressionName(c) << " n=" << n << ": " << s;
        EXPECT_EQ(back, in) << CompressionName(c) << " n=" << n;
      }
    }
  }
}

TEST(CompressionTest, EveryLevelRoundTrips) {
  std::string in = Compressible(200000);
  for (int level : {1, 6, 9}) {
    std::string back;
    ASSERT_TRUE(Decompress(Compression::kGzip, MustCompress(Compression::kGzip, in, level), &back).ok());
    EXPECT_EQ(back, in);
  }
  for (int level : {0, 1, 3, 9, 12}) {
    std::string back;
    ASSERT_TRUE(Decompress(Compression::kLz4, MustCompress(Compression::kLz4, in, level), &back).ok());
    EXPECT_EQ(back, in);
  }
  for (int level : {-5, 1, 3, 19}) {
    std::string back;
    ASSERT_TRUE(Decompress(Compression::kZstd, MustCompress(Compression::kZstd, in, level), &back).ok());
    EXPECT_EQ(back, in);
  }
}

TEST(CompressionTest, RejectsBadLevelsAndNoCodec) {
  std::string out;
  EXPECT_EQ(Compress(Compression::kGzip, "x", &out, 10).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(Compression::kLz4, "x", &out, 13).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(Compression::kZstd, "x", &out, 23).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(Compression::kNone, "x", &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(static_cast<Compression>(6), "x", &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Decompress(Compression::kNone, "x", &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(CompressionTest, GzipWritesAGzipMember) {
  std::string z = MustCompress(Compression::kGzip, "hello");
  ASSERT_GE(z.size(), 18u);
  EXPECT_EQ(static_cast<uint8_t>(z[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(z[1]), 0x8b);
  EXPECT_EQ(z[2], 8);  // deflate
}

TEST(CompressionTest, GzipReadsConcatenatedMembersAndZlibStreams) {
  std::string z = MustCompress(Compression::kGzip, "first;") + MustCompress(Compression::kGzip, "second");
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kGzip, z, &out).ok());
  EXPECT_EQ(out, "first;second");

  std::string in = Compressible(5000);
  uLongf len = compressBound(in.size());
  std::string zlib(len, '\0');
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib.data()), &len,
                      reinterpret_cast<const Bytef*>(in.data()), in.size(), 6),
            Z_OK);
  zlib.resize(len);
  out.clear();
  ASSERT_TRUE(Decompress(Compression::kGzip, zlib, &out).ok());
  EXPECT_EQ(out, in);
}

TEST(CompressionTest, SnappyWritesXerialFramingWith32KiBBlocks) {
  std::string in = RandomBytes(100000, 7);
  std::string z = MustCompress(Compression::kSnappy, in);
  ASSERT_GE(z.size(), 16u);
  EXPECT_EQ(z.substr(0, 8), std::string("\x82SNAPPY\0", 8));
  EXPECT_EQ(LoadBE32(z.data() + 8), 1u);   // version
  EXPECT_EQ(LoadBE32(z.data() + 12), 1u);  // compatible version
  size_t pos = 16;
  std::vector<size_t> block_sizes;
  std::string joined;
  while (pos < z.size()) {
    uint32_t len = LoadBE32(z.data() + pos);
    pos += 4;
    std::string block;
    ASSERT_TRUE(snappy::Uncompress(z.data() + pos, len, &block));
    block_sizes.push_back(block.size());
    joined += block;
    pos += len;
  }
  EXPECT_EQ(pos, z.size());
  EXPECT_EQ(joined, in);
  EXPECT_EQ(block_sizes, (std::vector<size_t>{32768, 32768, 32768, 1696}));
}

TEST(CompressionTest, SnappyReadsRawBlocksAsLibrdkafkaWritesThem) {
  std::string in = Compressible(70000);
  std::string raw;
  snappy::Compress(in.data(), in.size(), &raw);
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kSnappy, raw, &out).ok());
  EXPECT_EQ(out, in);
}

TEST(CompressionTest, SnappyReadsAnEmptyXerialStream) {
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kSnappy, MustCompress(Compression::kSnappy, ""), &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(CompressionTest, Lz4WritesTheFrameKafkasJavaReaderAccepts) {
  std::string z = MustCompress(Compression::kLz4, Compressible(200000));
  ASSERT_GE(z.size(), 7u);
  EXPECT_EQ(z.substr(0, 4), std::string("\x04\x22\x4d\x18", 4));  // magic 0x184D2204 LE
  uint8_t flg = static_cast<uint8_t>(z[4]);
  EXPECT_EQ(flg >> 6, 1);        // version 01
  EXPECT_EQ((flg >> 5) & 1, 1);  // independent blocks (Java refuses linked ones)
  EXPECT_EQ((flg >> 4) & 1, 0);  // no block checksum
  EXPECT_EQ((flg >> 3) & 1, 0);  // no content size
  EXPECT_EQ((flg >> 2) & 1, 0);  // no content checksum
  EXPECT_EQ(static_cast<uint8_t>(z[5]), 0x40);  // 64 KiB blocks
  EXPECT_EQ(z.substr(z.size() - 4), std::string(4, '\0'));  // end mark
}

TEST(CompressionTest, Lz4ReadsFramesWithChecksumsSizesAndLinkedBlocks) {
  std::string in = Compressible(300000);
  LZ4F_preferences_t prefs = {};
  prefs.frameInfo.blockMode = LZ4F_blockLinked;
  prefs.frameInfo.blockSizeID = LZ4F_max256KB;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
  prefs.frameInfo.contentSize = in.size();
  std::string z(LZ4F_compressFrameBound(in.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(z.data(), z.size(), in.data(), in.size(), &prefs);
  ASSERT_FALSE(LZ4F_isError(n));
  z.resize(n);
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kLz4, z, &out).ok());
  EXPECT_EQ(out, in);
  // Two frames back to back.
  out.clear();
  ASSERT_TRUE(Decompress(Compression::kLz4, z + MustCompress(Compression::kLz4, "tail"), &out).ok());
  EXPECT_EQ(out, in + "tail");
}

std::string ZstdStreaming(std::string_view in, int window_log) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  if (window_log > 0) ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(in.size()) + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer i{in.data(), in.size(), 0};
  // Feeding the input before ending the frame keeps the size unknown to the
  // encoder, as in a Java ZstdOutputStream: the frame declares its window.
  ZSTD_compressStream2(c, &o, &i, ZSTD_e_continue);
  ZSTD_inBuffer none{nullptr, 0, 0};
  size_t r;
  do {
    r = ZSTD_compressStream2(c, &o, &none, ZSTD_e_end);
  } while (r != 0 && !ZSTD_isError(r));
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

TEST(CompressionTest, ZstdReadsFramesWithoutContentSize) {
  std::string in = Compressible(500000);
  std::string z = ZstdStreaming(in, 0);
  ASSERT_EQ(ZSTD_getFrameContentSize(z.data(), z.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kZstd, z, &out).ok());
  EXPECT_EQ(out, in);
  out.clear();
  ASSERT_TRUE(Decompress(Compression::kZstd, z + MustCompress(Compression::kZstd, "more"), &out).ok());
  EXPECT_EQ(out, in + "more");
}

TEST(CompressionTest, ZstdRefusesWindowsOverTheLimit) {
  std::string z = ZstdStreaming(Compressible(1000), 27);
  std::string out;
  DecompressOptions small;
  small.zstd_max_window_log = 24;
  EXPECT_EQ(Decompress(Compression::kZstd, z, &out, small).code(),
            absl::StatusCode::kResourceExhausted);
  DecompressOptions big;
  big.zstd_max_window_log = 27;
  EXPECT_TRUE(Decompress(Compression::kZstd, z, &out, big).ok());
}

TEST(CompressionTest, EveryCodecStopsAtTheOutputLimit) {
  std::string in(1 << 20, 'z');  // a decompression bomb in miniature
  for (Compression c : kCodecs) {
    std::string z = MustCompress(c, in);
    DecompressOptions opts;
    opts.max_output_bytes = in.size();
    std::string out;
    ASSERT_TRUE(Decompress(c, z, &out, opts).ok()) << CompressionName(c);
    EXPECT_EQ(out.size(), in.size());

    opts.max_output_bytes = in.size() - 1;
    out = "keep";
    absl::Status s = Decompress(c, z, &out, opts);
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << CompressionName(c) << ": " << s;
    EXPECT_EQ(out, "keep");
    // Bounded by the limit (std::string may round its capacity up to 2x).
    EXPECT_LE(out.capacity(), 2 * (in.size() + 64)) << CompressionName(c);

    opts.max_output_bytes = 4096;
    out.clear();
    out.shrink_to_fit();
    EXPECT_EQ(Decompress(c, z, &out, opts).code(), absl::StatusCode::kResourceExhausted);
    EXPECT_LE(out.capacity(), 2 * (64u * 1024 + 64)) << CompressionName(c);
  }
}

TEST(CompressionTest, ZstdRefusesADeclaredSizeOverTheLimitBeforeAllocating) {
  std::string z = MustCompress(Compression::kZstd, std::string(100000, 'a'));
  DecompressOptions opts;
  opts.max_output_bytes = 1000;
  std::string out;
  EXPECT_EQ(Decompress(Compression::kZstd, z, &out, opts).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(out.capacity(), std::string().capacity());
}

TEST(CompressionTest, GarbageAndTruncationAreDataLossNeverCrashes) {
  Decompressor dec;
  std::string in = Compressible(100000);
  for (Compression c : kCodecs) {
    std::string z = MustCompress(c, in);
    std::string out;
    // Truncated at several points.
    for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, z.size() / 2, z.size() - 1}) {
      out = "x";
      absl::Status s = dec.Decompress(c, std::string_view(z).substr(0, cut), &out);
      EXPECT_FALSE(s.ok()) << CompressionName(c) << " cut " << cut;
      EXPECT_EQ(out, "x");
    }
    // Random garbage and garbage after a valid prefix.
    for (uint32_t seed = 0; seed < 50; ++seed) {
      std::string g = RandomBytes(1 + seed * 37, seed);
      out.clear();
      (void)dec.Decompress(c, g, &out);
      std::string mixed = z.substr(0, z.size() / 3) + g;
      out.clear();
      EXPECT_FALSE(dec.Decompress(c, mixed, &out).ok()) << CompressionName(c) << " seed " << seed;
    }
    // The decompressor still works afterwards.
    out.clear();
    ASSERT_TRUE(dec.Decompress(c, z, &out).ok()) << CompressionName(c);
    EXPECT_EQ(out, in);
  }
}

TEST(CompressionTest, CorruptXerialBlockLengthsAreDataLoss) {
  std::string z = MustCompress(Compression::kSnappy, Compressible(1000));
  std::string bad = z;
  StoreBE32(bad.data() + 16, 0x7fffffff);
  std::string out;
  EXPECT_EQ(Decompress(Compression::kSnappy, bad, &out).code(), absl::StatusCode::kDataLoss);
  bad = z + "ab";  // a length field cut short
  EXPECT_EQ(Decompress(Compression::kSnappy, bad, &out).code(), absl::StatusCode::kDataLoss);
}

TEST(CompressionTest, SnappyBlockClaimingAHugeSizeIsRefusedWithoutAllocating) {
  // A raw snappy block whose varint length says 2^31 bytes.
  std::string bomb = "\x80\x80\x80\x80\x08";
  bomb += std::string(10, '\0');
  std::string out;
  DecompressOptions opts;
  opts.max_output_bytes = 1 << 20;
  EXPECT_EQ(Decompress(Compression::kSnappy, bomb, &out, opts).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(out.capacity(), std::string().capacity());
}

TEST(CompressionTest, DecompressAppendsToExistingOutput) {
  for (Compression c : kCodecs) {
    std::string out = "prefix:";
    ASSERT_TRUE(Decompress(c, MustCompress(c, "body"), &out).ok());
    EXPECT_EQ(out, "prefix:body");
  }
}

}  // namespace
}  // namespace gregor::kafka
