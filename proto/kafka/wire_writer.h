// WireWriter: encodes Kafka messages into a frame made of pieces, so record
// data is never copied through user space on its way out:
//
//   owned bytes (sizes, headers, fields — one growing buffer)
//   byte views   (record data held elsewhere, e.g. a cache; zero copy)
//   file regions (record data in segment files; sent with sendfile(2))
//
// Small byte views (< kInlineCopyLimit) are copied into the owned buffer,
// where one more iovec would cost more than the copy.
//
// Encoding errors (a value the wire format cannot carry, such as a string
// longer than 32767 bytes in a non-flexible version, or null in a
// non-nullable field) make the writer "failed" (sticky, like ByteReader);
// callers check ok()/status() before sending.
//
// OutputFrame is the finished result: segments in order, each memory or
// file. The network layer writes memory segments with writev(2) and file
// segments with sendfile(2); Flatten() reads everything into one string (for
// tests and TLS). Not thread-safe; an OutputFrame may move between threads.
#ifndef GREGOR_PROTO_KAFKA_WIRE_WRITER_H_
#define GREGOR_PROTO_KAFKA_WIRE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/uuid.h"
#include "proto/kafka/record_set.h"

namespace gregor::kafka {

class OutputFrame {
 public:
  // One contiguous part of the frame: memory (`file == nullptr`, `bytes`
  // valid while the frame lives and is not moved) or a file region.
  struct Segment {
    std::string_view bytes;
    const FileRegion* file = nullptr;
    int64_t size() const { return file != nullptr ? file->length : static_cast<int64_t>(bytes.size()); }
  };

  OutputFrame() = default;
  OutputFrame(OutputFrame&&) = default;
  OutputFrame& operator=(OutputFrame&&) = default;

  // Total bytes of the frame (including any size prefix written into it).
  int64_t size() const { return size_; }
  // The segments in order; memory segments are never empty.
  std::vector<Segment> Segments() const;
  // True when the frame holds no file regions.
  bool all_memory() const;
  // The whole frame as one string; file regions are read with pread(2).
  absl::StatusOr<std::string> Flatten() const;

 private:
  friend class WireWriter;
  struct External {
    size_t insert_at = 0;  // position in `owned_` before which it goes
    std::string_view bytes;
    FileRegion file;
    bool is_file = false;
  };
  std::string owned_;
  std::vector<External> external_;
  std::vector<std::shared_ptr<const void>> keepalives_;
  int64_t size_ = 0;
};

class WireWriter {
 public:
  // Byte views shorter than this are copied into the owned buffer.
  static constexpr size_t kInlineCopyLimit = 1024;

  WireWriter() = default;
  WireWriter(WireWriter&&) = default;
  WireWriter& operator=(WireWriter&&) = default;

  void WriteInt8(int8_t v) { owned_.push_back(static_cast<char>(v)); }
  void WriteBool(bool v) { owned_.push_back(v ? 1 : 0); }
  void WriteInt16(int16_t v) { WriteBE<uint16_t>(static_cast<uint16_t>(v)); }
  void WriteUint16(uint16_t v) { WriteBE<uint16_t>(v); }
  void WriteInt32(int32_t v) { WriteBE<uint32_t>(static_cast<uint32_t>(v)); }
  void WriteUint32(uint32_t v) { WriteBE<uint32_t>(v); }
  void WriteInt64(int64_t v) { WriteBE<uint64_t>(static_cast<uint64_t>(v)); }
  void WriteFloat64(double v);
  void WriteUuid(const Uuid& v);
  void WriteUnsignedVarint(uint32_t v);
  // Copies `bytes` into the owned buffer.
  void WriteRaw(std::string_view bytes) { owned_.append(bytes.data(), bytes.size()); }

  // Appends the pieces of `records` (views by reference, file regions as
  // regions). REQUIRES: the viewed bytes outlive the frame, or have keepalives.
  void AppendRecords(const Records& records);
  // Appends everything `other` holds (for tagged fields encoded on the side).
  void Append(WireWriter&& other);

  // Total bytes written so far, external pieces included.
  int64_t size() const { return static_cast<int64_t>(owned_.size()) + external_bytes_; }

  // Marks the writer failed (the first message is kept).
  void Fail(std::string_view what);
  bool ok() const { return error_.empty(); }
  absl::Status status() const;

  // Moves the content into an OutputFrame.
  OutputFrame Finish() &&;
  // As Finish(), after storing size()-4 as a big-endian int32 in the first 4
  // bytes. REQUIRES: the first 4 bytes were written as a placeholder.
  OutputFrame FinishFrame() &&;

 private:
  template <typename T>
  void WriteBE(T v) {
    char tmp[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) {
      tmp[i] = static_cast<char>((v >> (8 * (sizeof(T) - 1 - i))) & 0xFF);
    }
    owned_.append(tmp, sizeof(T));
  }
  void AppendView(std::string_view bytes, const std::shared_ptr<const void>& keepalive);
  void AppendFile(const FileRegion& region);

  std::string owned_;
  std::vector<OutputFrame::External> external_;
  std::vector<std::shared_ptr<const void>> keepalives_;
  int64_t external_bytes_ = 0;
  std::string error_;
};

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_WIRE_WRITER_H_
