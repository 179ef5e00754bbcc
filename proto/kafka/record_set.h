// Records: the value of a Kafka `records` field (the record batches of a
// Produce request partition or a Fetch response partition), kept out of the
// codec's hands so record data is never copied:
//
//  - null (the default), or
//  - on decode: one view of the bytes inside the request frame (no copy; the
//    caller keeps the frame alive as long as the Records is used), or
//  - for encoding (Fetch responses): a sequence of pieces, each either a view
//    of bytes held elsewhere (optionally kept alive by `keepalive`) or a
//    region of an open file that the network layer sends with sendfile(2).
//
// The codec never looks inside the batches; proto/kafka/records/ parses them.
// Not thread-safe; copying a Records copies views and shared keepalives only.
#ifndef GREGOR_PROTO_KAFKA_RECORD_SET_H_
#define GREGOR_PROTO_KAFKA_RECORD_SET_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <variant>

#include "absl/container/inlined_vector.h"

namespace gregor::kafka {

// A byte range of an open file. `keepalive` holds whatever owns `fd` (e.g. a
// log segment) until the bytes are sent.
struct FileRegion {
  std::shared_ptr<const void> keepalive;
  int fd = -1;
  int64_t offset = 0;
  int64_t length = 0;

  // Same file range (keepalive is not compared).
  friend bool operator==(const FileRegion& a, const FileRegion& b) {
    return a.fd == b.fd && a.offset == b.offset && a.length == b.length;
  }
};

// Bytes owned by someone else. `keepalive` (may be null) owns them; with a
// null keepalive the caller guarantees the bytes outlive every use.
struct ByteView {
  std::string_view bytes;
  std::shared_ptr<const void> keepalive;
};

class Records {
 public:
  using Piece = std::variant<ByteView, FileRegion>;

  // A null Records.
  Records() = default;

  // A non-null Records viewing `bytes` (which may be empty).
  static Records View(std::string_view bytes, std::shared_ptr<const void> keepalive = nullptr) {
    Records r;
    r.AppendBytes(bytes, std::move(keepalive));
    return r;
  }
  // A non-null, empty Records.
  static Records Empty() { return View(std::string_view()); }

  bool is_null() const { return null_; }
  // Total bytes (0 when null).
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // True when the content is one byte view (or nothing): the decoded case.
  bool is_contiguous() const;
  // The bytes of a contiguous Records (empty when null or empty).
  // REQUIRES: is_contiguous().
  std::string_view contiguous_bytes() const;

  const absl::InlinedVector<Piece, 1>& pieces() const { return pieces_; }

  // Append a piece; the Records becomes non-null. Empty pieces are dropped.
  void AppendBytes(std::string_view bytes, std::shared_ptr<const void> keepalive = nullptr);
  void AppendFile(FileRegion region);

  // Equal when both are null, or both are non-null with the same content:
  // byte pieces are compared by content, file regions by (fd, offset,
  // length). Piece boundaries between byte views do not matter.
  friend bool operator==(const Records& a, const Records& b);

 private:
  bool null_ = true;
  int64_t size_ = 0;
  absl::InlinedVector<Piece, 1> pieces_;
};

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORD_SET_H_
