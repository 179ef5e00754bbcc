// The four compression codecs of Kafka record batches, both directions,
// framed the way Kafka's Java client writes them and decoding everything the
// common clients write:
//
//   gzip    RFC 1952 gzip members (zlib). Decoding also accepts a zlib
//           stream and several concatenated gzip members.
//   snappy  Encoded in snappy-java's "xerial" framing, as the Java client
//           writes it: 16-byte header (\x82 "SNAPPY" \0, int32 version 1,
//           int32 compatible version 1) then blocks of [int32 BE compressed
//           length][raw snappy block], each block holding up to 32 KiB of
//           input. Decoding also accepts a bare raw snappy block (librdkafka
//           writes those).
//   lz4     LZ4 frame format (lz4frame.h) with 64 KiB independent blocks, no
//           content size and no checksums, like Kafka's Lz4BlockOutputStream
//           (whose reader refuses linked blocks). Decoding accepts any valid
//           frame(s).
//   zstd    Standard zstd frame(s). Decoding is streaming, so frames without a
//           content size work; the window a frame may ask for is bounded.
//
// Every decoder bounds its output: at most `max_output_bytes` are produced,
// and a stream that would produce more fails with kResourceExhausted after
// growing the output to at most max_output_bytes + 1 bytes (std::string may
// round its capacity up to twice that). Malformed input fails with
// kDataLoss. Nothing here crashes or allocates without bound on bad input.
//
// Compressor and Decompressor keep their codec contexts between calls so a
// hot path does not allocate per batch. They are not thread-safe: use one per
// thread (or per reader). The free functions make a temporary one.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_COMPRESSION_H_
#define GREGOR_PROTO_KAFKA_RECORDS_COMPRESSION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::kafka {

// Use the codec's default level (gzip 6, lz4 fast mode, zstd 3: the Java
// client's defaults).
inline constexpr int kDefaultCompressionLevel = -1000;

// Bytes of input per snappy block in the xerial framing (snappy-java's default).
inline constexpr size_t kXerialBlockSize = 32 * 1024;

// "kNone", "gzip", "snappy", "lz4", "zstd" or "unknown(N)" for logs.
std::string_view CompressionName(Compression codec);

// True for the five codecs defined by Kafka (attribute bits 0..4).
bool IsKnownCompression(Compression codec);

struct DecompressOptions {
  // Upper bound on the decompressed size of one input.
  size_t max_output_bytes = 64 << 20;
  // Largest zstd window (log2 bytes) a frame may require; a frame asking for
  // more is refused. The Java client's default level uses 2^21; level 19
  // uses 2^23. Bounds the decoder's memory: 2^24 = 16 MiB.
  int zstd_max_window_log = 24;
};

// Compresses into the framing described above. Reusable; not thread-safe.
class Compressor {
 public:
  Compressor();
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Appends the compressed form of `input` to `*out`. `level` is the codec's
  // own scale (gzip 1..9, lz4 1..12 (0 or default = fast), zstd 1..22); it is
  // ignored for snappy. Fails only for kNone/unknown codecs, an out-of-range
  // level, or a codec library error.
  absl::Status Compress(Compression codec, std::string_view input, std::string* out,
                        int level = kDefaultCompressionLevel);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> ctx_;
};

// Decompresses with bounded output. Reusable; not thread-safe.
class Decompressor {
 public:
  explicit Decompressor(DecompressOptions options = {});
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  const DecompressOptions& options() const { return options_; }
  void set_options(const DecompressOptions& options) { options_ = options; }

  // Appends the decompressed form of `input` to `*out`. On error `*out` keeps
  // its previous size (its capacity may have grown, bounded by the limit).
  // Errors: kDataLoss for malformed or truncated input, kResourceExhausted
  // when the output would exceed options().max_output_bytes,
  // kInvalidArgument for kNone/unknown codecs.
  absl::Status Decompress(Compression codec, std::string_view input, std::string* out);

 private:
  absl::Status Gzip(std::string_view input, std::string* out);
  absl::Status Snappy(std::string_view input, std::string* out);
  absl::Status Lz4(std::string_view input, std::string* out);
  absl::Status Zstd(std::string_view input, std::string* out);

  struct Contexts;
  DecompressOptions options_;
  std::unique_ptr<Contexts> ctx_;
};

// One-shot conveniences (allocate codec contexts per call).
absl::Status Compress(Compression codec, std::string_view input, std::string* out,
                      int level = kDefaultCompressionLevel);
absl::Status Decompress(Compression codec, std::string_view input, std::string* out,
                        const DecompressOptions& options = {});

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_COMPRESSION_H_
