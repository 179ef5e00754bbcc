#include "proto/kafka/record_set.h"

#include <algorithm>
#include <cstring>

namespace gregor::kafka {

bool Records::is_contiguous() const {
  return pieces_.empty() || (pieces_.size() == 1 && std::holds_alternative<ByteView>(pieces_[0]));
}

std::string_view Records::contiguous_bytes() const {
  if (pieces_.empty()) return {};
  return std::get<ByteView>(pieces_[0]).bytes;
}

void Records::AppendBytes(std::string_view bytes, std::shared_ptr<const void> keepalive) {
  null_ = false;
  if (bytes.empty()) return;
  size_ += static_cast<int64_t>(bytes.size());
  pieces_.push_back(ByteView{bytes, std::move(keepalive)});
}

void Records::AppendFile(FileRegion region) {
  null_ = false;
  if (region.length <= 0) return;
  size_ += region.length;
  pieces_.push_back(std::move(region));
}

namespace {

// Walks the content of a Records: runs of bytes (across piece boundaries)
// and whole file regions.
class ContentCursor {
 public:
  explicit ContentCursor(const absl::InlinedVector<Records::Piece, 1>& pieces) : pieces_(pieces) {}

  bool done() const { return index_ == pieces_.size(); }
  const FileRegion* file() const { return std::get_if<FileRegion>(&pieces_[index_]); }
  std::string_view bytes() const {
    return std::get<ByteView>(pieces_[index_]).bytes.substr(offset_);
  }
  void Advance(size_t n) {
    if (file() != nullptr) {
      ++index_;
      return;
    }
    offset_ += n;
    if (offset_ == std::get<ByteView>(pieces_[index_]).bytes.size()) {
      ++index_;
      offset_ = 0;
    }
  }

 private:
  const absl::InlinedVector<Records::Piece, 1>& pieces_;
  size_t index_ = 0;
  size_t offset_ = 0;
};

}  // namespace

bool operator==(const Records& a, const Records& b) {
  if (a.null_ != b.null_) return false;
  if (a.size_ != b.size_) return false;
  ContentCursor ca(a.pieces_), cb(b.pieces_);
  while (!ca.done() && !cb.done()) {
    const FileRegion* fa = ca.file();
    const FileRegion* fb = cb.file();
    if ((fa == nullptr) != (fb == nullptr)) return false;
    if (fa != nullptr) {
      if (!(*fa == *fb)) return false;
      ca.Advance(0);
      cb.Advance(0);
      continue;
    }
    std::string_view va = ca.bytes(), vb = cb.bytes();
    size_t n = std::min(va.size(), vb.size());
    if (std::memcmp(va.data(), vb.data(), n) != 0) return false;
    ca.Advance(n);
    cb.Advance(n);
  }
  return ca.done() && cb.done();
}

}  // namespace gregor::kafka
