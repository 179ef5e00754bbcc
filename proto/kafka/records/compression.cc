#include "proto/kafka/records/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/status.h"

namespace gregor::kafka {
namespace {

constexpr char kXerialMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
constexpr size_t kXerialHeaderSize = 16;
constexpr int32_t kXerialVersion = 1;
constexpr int32_t kXerialCompatibleVersion = 1;
// No single batch gets anywhere near this; keeps size arithmetic far from overflow.
constexpr size_t kAbsoluteMaxOutput = size_t{1} << 40;
constexpr size_t kMinOutputChunk = 64 * 1024;

absl::Status Corrupt(const char* codec, const char* what) {
  return absl::DataLossError(absl::StrCat("corrupt ", codec, " data: ", what));
}

absl::Status TooLarge(const char* codec, size_t limit) {
  return absl::ResourceExhaustedError(
      absl::StrCat(codec, " data decompresses to more than the limit of ", limit, " bytes"));
}

// Output area at the end of a std::string for streaming decoders. Grows
// geometrically up to limit + 1 bytes past the string's original size: one
// byte beyond the limit is how a decoder proves the limit was exceeded
// without ever allocating more.
class BoundedSink {
 public:
  BoundedSink(std::string* out, size_t limit, size_t first_chunk, const char* codec)
      : out_(out),
        start_(out->size()),
        limit_(std::min(limit, kAbsoluteMaxOutput)),
        first_chunk_(std::max<size_t>(first_chunk, 1)),
        codec_(codec) {}

  ~BoundedSink() {
    if (!finished_) out_->resize(start_);
  }

  char* ptr() { return out_->data() + start_ + written_; }
  size_t available() const { return out_->size() - start_ - written_; }
  void Commit(size_t n) { written_ += n; }

  // Makes available() > 0, or fails when limit + 1 bytes are already written.
  absl::Status EnsureSpace() {
    if (available() > 0) return absl::OkStatus();
    size_t cap = out_->size() - start_;
    size_t max_cap = limit_ + 1;
    if (cap >= max_cap) return TooLarge(codec_, limit_);
    size_t new_cap = std::min(max_cap, std::max(cap * 2, first_chunk_));
    out_->resize(start_ + new_cap);
    return absl::OkStatus();
  }

  absl::Status Finish() {
    if (written_ > limit_) return TooLarge(codec_, limit_);
    out_->resize(start_ + written_);
    finished_ = true;
    return absl::OkStatus();
  }

 private:
  std::string* out_;
  size_t start_;
  size_t limit_;
  size_t first_chunk_;
  const char* codec_;
  size_t written_ = 0;
  bool finished_ = false;
};

size_t FirstChunk(size_t input_size, size_t limit) {
  size_t guess = input_size > (SIZE_MAX / 4) ? SIZE_MAX : input_size * 4;
  return std::min(std::max(guess, kMinOutputChunk), std::min(limit, kAbsoluteMaxOutput) + 1);
}

}  // namespace

std::string_view CompressionName(Compression codec) {
  switch (codec) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

bool IsKnownCompression(Compression codec) {
  return static_cast<uint8_t>(codec) <= static_cast<uint8_t>(Compression::kZstd);
}

// ---------------------------------------------------------------------------
// Compressor

struct Compressor::Contexts {
  z_stream deflate{};
  bool deflate_ready = false;
  int deflate_level = 0;
  LZ4F_cctx* lz4 = nullptr;
  ZSTD_CCtx* zstd = nullptr;

  ~Contexts() {
    if (deflate_ready) deflateEnd(&deflate);
    if (lz4 != nullptr) LZ4F_freeCompressionContext(lz4);
    if (zstd != nullptr) ZSTD_freeCCtx(zstd);
  }
};

Compressor::Compressor() : ctx_(std::make_unique<Contexts>()) {}
Compressor::~Compressor() = default;

namespace {

absl::Status CompressGzip(z_stream* zs, std::string_view input, std::string* out) {
  if (input.size() > UINT_MAX) return absl::InvalidArgumentError("gzip input over 4 GiB");
  size_t start = out->size();
  size_t bound = deflateBound(zs, static_cast<uLong>(input.size()));
  out->resize(start + bound);
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs->avail_in = static_cast<uInt>(input.size());
  zs->next_out = reinterpret_cast<Bytef*>(out->data() + start);
  zs->avail_out = static_cast<uInt>(bound);
  int r = deflate(zs, Z_FINISH);
  if (r != Z_STREAM_END) {
    out->resize(start);
    return absl::InternalError(absl::StrCat("zlib deflate failed: ", r));
  }
  out->resize(start + (bound - zs->avail_out));
  return absl::OkStatus();
}

void CompressSnappyXerial(std::string_view input, std::string* out) {
  size_t start = out->size();
  size_t blocks = (input.size() + kXerialBlockSize - 1) / kXerialBlockSize;
  out->resize(start + kXerialHeaderSize +
              blocks * (4 + snappy::MaxCompressedLength(kXerialBlockSize)));
  char* p = out->data() + start;
  std::memcpy(p, kXerialMagic, sizeof(kXerialMagic));
  StoreBE32(p + 8, kXerialVersion);
  StoreBE32(p + 12, kXerialCompatibleVersion);
  p += kXerialHeaderSize;
  for (size_t pos = 0; pos < input.size(); pos += kXerialBlockSize) {
    size_t n = std::min(kXerialBlockSize, input.size() - pos);
    size_t compressed = 0;
    snappy::RawCompress(input.data() + pos, n, p + 4, &compressed);
    StoreBE32(p, static_cast<uint32_t>(compressed));
    p += 4 + compressed;
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

absl::Status CompressLz4(LZ4F_cctx* cctx, std::string_view input, int level, std::string* out) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.frameInfo.frameType = LZ4F_frame;
  prefs.frameInfo.contentSize = 0;
  prefs.compressionLevel = level;
  size_t start = out->size();
  size_t bound = LZ4F_compressFrameBound(input.size(), &prefs);
  out->resize(start + bound);
  char* dst = out->data() + start;
  size_t pos = LZ4F_compressBegin(cctx, dst, bound, &prefs);
  if (!LZ4F_isError(pos)) {
    size_t n = LZ4F_compressUpdate(cctx, dst + pos, bound - pos, input.data(), input.size(), nullptr);
    if (!LZ4F_isError(n)) {
      pos += n;
      n = LZ4F_compressEnd(cctx, dst + pos, bound - pos, nullptr);
      if (!LZ4F_isError(n)) {
        out->resize(start + pos + n);
        return absl::OkStatus();
      }
    }
    pos = n;
  }
  out->resize(start);
  return absl::InternalError(absl::StrCat("lz4 frame compression failed: ", LZ4F_getErrorName(pos)));
}

absl::Status CompressZstd(ZSTD_CCtx* cctx, std::string_view input, int level, std::string* out) {
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  size_t r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(r)) return absl::InvalidArgumentError(ZSTD_getErrorName(r));
  size_t start = out->size();
  size_t bound = ZSTD_compressBound(input.size());
  out->resize(start + bound);
  r = ZSTD_compress2(cctx, out->data() + start, bound, input.data(), input.size());
  if (ZSTD_isError(r)) {
    out->resize(start);
    return absl::InternalError(absl::StrCat("zstd compression failed: ", ZSTD_getErrorName(r)));
  }
  out->resize(start + r);
  return absl::OkStatus();
}

}  // namespace

absl::Status Compressor::Compress(Compression codec, std::string_view input, std::string* out,
                                  int level) {
  bool dflt = level == kDefaultCompressionLevel;
  switch (codec) {
    case Compression::kGzip: {
      int lvl = dflt ? 6 : level;
      if (lvl < 1 || lvl > 9) return absl::InvalidArgumentError(absl::StrCat("gzip level ", level));
      if (ctx_->deflate_ready && ctx_->deflate_level != lvl) {
        deflateEnd(&ctx_->deflate);
        ctx_->deflate_ready = false;
      }
      if (!ctx_->deflate_ready) {
        ctx_->deflate = z_stream{};
        // 15 + 16: a gzip wrapper around a 32 KiB-window deflate stream.
        if (deflateInit2(&ctx_->deflate, lvl, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
          return absl::InternalError("zlib deflateInit2 failed");
        }
        ctx_->deflate_ready = true;
        ctx_->deflate_level = lvl;
      } else {
        deflateReset(&ctx_->deflate);
      }
      return CompressGzip(&ctx_->deflate, input, out);
    }
    case Compression::kSnappy:
      CompressSnappyXerial(input, out);
      return absl::OkStatus();
    case Compression::kLz4: {
      int lvl = dflt ? 0 : level;
      if (lvl < 0 || lvl > 12) return absl::InvalidArgumentError(absl::StrCat("lz4 level ", level));
      if (ctx_->lz4 == nullptr) {
        size_t r = LZ4F_createCompressionContext(&ctx_->lz4, LZ4F_VERSION);
        if (LZ4F_isError(r)) return absl::InternalError("LZ4F_createCompressionContext failed");
      }
      return CompressLz4(ctx_->lz4, input, lvl, out);
    }
    case Compression::kZstd: {
      int lvl = dflt ? 3 : level;
      if (lvl < ZSTD_minCLevel() || lvl > ZSTD_maxCLevel() || lvl == 0) {
        return absl::InvalidArgumentError(absl::StrCat("zstd level ", level));
      }
      if (ctx_->zstd == nullptr) {
        ctx_->zstd = ZSTD_createCCtx();
        if (ctx_->zstd == nullptr) return absl::InternalError("ZSTD_createCCtx failed");
      }
      return CompressZstd(ctx_->zstd, input, lvl, out);
    }
    case Compression::kNone:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot compress with codec ", static_cast<int>(codec)));
}

// ---------------------------------------------------------------------------
// Decompressor

struct Decompressor::Contexts {
  z_stream inflate{};
  bool inflate_ready = false;
  LZ4F_dctx* lz4 = nullptr;
  ZSTD_DCtx* zstd = nullptr;

  ~Contexts() {
    if (inflate_ready) inflateEnd(&inflate);
    if (lz4 != nullptr) LZ4F_freeDecompressionContext(lz4);
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
  }
};

Decompressor::Decompressor(DecompressOptions options)
    : options_(options), ctx_(std::make_unique<Contexts>()) {}
Decompressor::~Decompressor() = default;

absl::Status Decompressor::Decompress(Compression codec, std::string_view input,
                                      std::string* out) {
  switch (codec) {
    case Compression::kGzip:
      return Gzip(input, out);
    case Compression::kSnappy:
      return Snappy(input, out);
    case Compression::kLz4:
      return Lz4(input, out);
    case Compression::kZstd:
      return Zstd(input, out);
    case Compression::kNone:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot decompress codec ", static_cast<int>(codec)));
}

absl::Status Decompressor::Gzip(std::string_view input, std::string* out) {
  if (input.size() > UINT_MAX) return Corrupt("gzip", "input over 4 GiB");
  z_stream& zs = ctx_->inflate;
  if (!ctx_->inflate_ready) {
    zs = z_stream{};
    // 15 + 32: a 32 KiB window, gzip or zlib header detected automatically.
    if (inflateInit2(&zs, 15 + 32) != Z_OK) return absl::InternalError("zlib inflateInit2 failed");
    ctx_->inflate_ready = true;
  } else {
    inflateReset(&zs);
  }
  BoundedSink sink(out, options_.max_output_bytes,
                   FirstChunk(input.size(), options_.max_output_bytes), "gzip");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  for (;;) {
    RETURN_IF_ERROR(sink.EnsureSpace());
    uInt avail = static_cast<uInt>(std::min<size_t>(sink.available(), UINT_MAX));
    zs.next_out = reinterpret_cast<Bytef*>(sink.ptr());
    zs.avail_out = avail;
    int r = inflate(&zs, Z_NO_FLUSH);
    sink.Commit(avail - zs.avail_out);
    if (r == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (r == Z_OK) continue;
    if (r == Z_BUF_ERROR && zs.avail_out == 0) continue;
    if (r == Z_BUF_ERROR) return Corrupt("gzip", "truncated stream");
    return Corrupt("gzip", zs.msg != nullptr ? zs.msg : "inflate error");
  }
  return sink.Finish();
}

absl::Status Decompressor::Snappy(std::string_view input, std::string* out) {
  const size_t limit = options_.max_output_bytes;
  const size_t start = out->size();
  auto fail = [&](absl::Status s) {
    out->resize(start);
    return s;
  };
  auto block = [&](std::string_view raw) -> absl::Status {
    size_t n = 0;
    if (!snappy::GetUncompressedLength(raw.data(), raw.size(), &n)) {
      return Corrupt("snappy", "bad block length");
    }
    size_t written = out->size() - start;
    if (n > limit - written) return TooLarge("snappy", limit);
    out->resize(out->size() + n);
    if (!snappy::RawUncompress(raw.data(), raw.size(), out->data() + out->size() - n)) {
      return Corrupt("snappy", "bad block");
    }
    return absl::OkStatus();
  };
  if (input.size() < kXerialHeaderSize ||
      std::memcmp(input.data(), kXerialMagic, sizeof(kXerialMagic)) != 0) {
    absl::Status s = block(input);  // a bare snappy block, as librdkafka writes
    return s.ok() ? s : fail(s);
  }
  size_t pos = kXerialHeaderSize;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return fail(Corrupt("snappy", "truncated xerial block length"));
    size_t len = LoadBE32(input.data() + pos);
    pos += 4;
    if (len > input.size() - pos) return fail(Corrupt("snappy", "xerial block past the end"));
    absl::Status s = block(input.substr(pos, len));
    if (!s.ok()) return fail(s);
    pos += len;
  }
  return absl::OkStatus();
}

absl::Status Decompressor::Lz4(std::string_view input, std::string* out) {
  if (ctx_->lz4 == nullptr) {
    size_t r = LZ4F_createDecompressionContext(&ctx_->lz4, LZ4F_VERSION);
    if (LZ4F_isError(r)) return absl::InternalError("LZ4F_createDecompressionContext failed");
  } else {
    LZ4F_resetDecompressionContext(ctx_->lz4);
  }
  if (input.empty()) return Corrupt("lz4", "empty input");
  BoundedSink sink(out, options_.max_output_bytes,
                   FirstChunk(input.size(), options_.max_output_bytes), "lz4");
  size_t in_pos = 0;
  for (;;) {
    RETURN_IF_ERROR(sink.EnsureSpace());
    size_t dst_size = sink.available();
    size_t src_size = input.size() - in_pos;
    size_t r = LZ4F_decompress(ctx_->lz4, sink.ptr(), &dst_size, input.data() + in_pos, &src_size,
                               nullptr);
    if (LZ4F_isError(r)) {
      LZ4F_resetDecompressionContext(ctx_->lz4);
      return Corrupt("lz4", LZ4F_getErrorName(r));
    }
    in_pos += src_size;
    sink.Commit(dst_size);
    if (r == 0) {  // end of a frame
      if (in_pos == input.size()) break;
      continue;    // another frame follows
    }
    if (src_size == 0 && dst_size == 0) {  // no progress with room to write
      LZ4F_resetDecompressionContext(ctx_->lz4);
      return Corrupt("lz4", in_pos == input.size() ? "truncated frame" : "decoder stalled");
    }
  }
  return sink.Finish();
}

absl::Status Decompressor::Zstd(std::string_view input, std::string* out) {
  if (ctx_->zstd == nullptr) {
    ctx_->zstd = ZSTD_createDCtx();
    if (ctx_->zstd == nullptr) return absl::InternalError("ZSTD_createDCtx failed");
  }
  ZSTD_DCtx* dctx = ctx_->zstd;
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  size_t r = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, options_.zstd_max_window_log);
  if (ZSTD_isError(r)) return absl::InvalidArgumentError(ZSTD_getErrorName(r));
  if (input.empty()) return Corrupt("zstd", "empty input");
  const size_t limit = options_.max_output_bytes;
  size_t first = FirstChunk(input.size(), limit);
  unsigned long long content = ZSTD_getFrameContentSize(input.data(), input.size());
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != ZSTD_CONTENTSIZE_ERROR) {
    if (content > limit) return TooLarge("zstd", limit);
    first = static_cast<size_t>(content) + 1;  // +1 detects data past the declared size
  }
  BoundedSink sink(out, limit, first, "zstd");
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    RETURN_IF_ERROR(sink.EnsureSpace());
    ZSTD_outBuffer o{sink.ptr(), sink.available(), 0};
    r = ZSTD_decompressStream(dctx, &o, &in);
    if (ZSTD_isError(r)) {
      ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
      if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge) {
        return absl::ResourceExhaustedError(
            absl::StrCat("zstd frame needs a window over 2^", options_.zstd_max_window_log, " bytes"));
      }
      return Corrupt("zstd", ZSTD_getErrorName(r));
    }
    sink.Commit(o.pos);
    if (r == 0) {  // end of a frame
      if (in.pos == in.size) break;
      continue;    // another frame follows
    }
    if (in.pos == in.size && o.pos < o.size) {
      ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
      return Corrupt("zstd", "truncated frame");
    }
  }
  return sink.Finish();
}

absl::Status Compress(Compression codec, std::string_view input, std::string* out, int level) {
  Compressor c;
  return c.Compress(codec, input, out, level);
}

absl::Status Decompress(Compression codec, std::string_view input, std::string* out,
                        const DecompressOptions& options) {
  Decompressor d(options);
  return d.Decompress(codec, input, out);
}

}  // namespace gregor::kafka
