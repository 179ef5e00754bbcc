#include "proto/kafka/wire_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "proto/kafka/messages/fetch.h"
#include "proto/kafka/messages/produce.h"
#include "proto/kafka/record_set.h"

namespace gregor::kafka {
namespace {

// A temporary file holding `content`, removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    const char* dir = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(dir ? dir : "/tmp") + "/wire_writer_test.XXXXXX";
    path_ = tmpl;
    fd_ = mkstemp(path_.data());
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(write(fd_, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  }
  ~TempFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_ = -1;
};

std::string Flat(const OutputFrame& f) {
  absl::StatusOr<std::string> s = f.Flatten();
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "";
}

TEST(WireWriterTest, OwnedBytesMakeOneMemorySegment) {
  WireWriter w;
  w.WriteInt32(0x01020304);
  w.WriteInt16(-2);
  w.WriteUnsignedVarint(300);
  w.WriteUuid(Uuid(0x0102030405060708, 0x090a0b0c0d0e0f10));
  EXPECT_EQ(w.size(), 4 + 2 + 2 + 16);
  OutputFrame f = std::move(w).Finish();
  ASSERT_EQ(f.Segments().size(), 1u);
  EXPECT_TRUE(f.all_memory());
  EXPECT_EQ(Flat(f), std::string("\x01\x02\x03\x04\xff\xfe\xac\x02"
                                 "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10",
                                 24));
}

TEST(WireWriterTest, LargeByteViewsAreReferencedNotCopied) {
  std::string big(WireWriter::kInlineCopyLimit * 4, 'x');
  Records records = Records::View(big);
  WireWriter w;
  w.WriteInt32(7);
  w.AppendRecords(records);
  w.WriteInt8(1);
  OutputFrame f = std::move(w).Finish();
  auto segments = f.Segments();
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[1].bytes.data(), big.data());  // zero copy
  EXPECT_EQ(segments[1].bytes.size(), big.size());
  EXPECT_EQ(f.size(), static_cast<int64_t>(4 + big.size() + 1));
  EXPECT_EQ(Flat(f), std::string("\0\0\0\x07", 4) + big + "\x01");
}

TEST(WireWriterTest, SmallByteViewsAreCopiedIntoTheOwnedBuffer) {
  std::string small = "tiny batch";
  WireWriter w;
  w.WriteInt8(1);
  w.AppendRecords(Records::View(small));
  OutputFrame f = std::move(w).Finish();
  ASSERT_EQ(f.Segments().size(), 1u);
  EXPECT_EQ(Flat(f), "\x01" + small);
}

TEST(WireWriterTest, FileRegionsBecomeFileSegmentsThatFlattenReadsWithPread) {
  TempFile file("0123456789abcdefghij");
  Records records;
  records.AppendFile(FileRegion{nullptr, file.fd(), 5, 10});
  WireWriter w;
  w.WriteInt8('<');
  w.AppendRecords(records);
  w.WriteInt8('>');
  OutputFrame f = std::move(w).Finish();
  EXPECT_FALSE(f.all_memory());
  auto segments = f.Segments();
  ASSERT_EQ(segments.size(), 3u);
  ASSERT_NE(segments[1].file, nullptr);
  EXPECT_EQ(segments[1].file->offset, 5);
  EXPECT_EQ(segments[1].size(), 10);
  EXPECT_EQ(Flat(f), "<56789abcde>");
}

TEST(WireWriterTest, FlattenReportsARegionPastTheEndOfItsFile) {
  TempFile file("short");
  Records records;
  records.AppendFile(FileRegion{nullptr, file.fd(), 2, 100});
  WireWriter w;
  w.AppendRecords(records);
  absl::StatusOr<std::string> flat = std::move(w).Finish().Flatten();
  EXPECT_FALSE(flat.ok());
}

TEST(WireWriterTest, KeepalivesLiveAsLongAsTheFrame) {
  auto owner = std::make_shared<std::string>(WireWriter::kInlineCopyLimit * 2, 'k');
  std::weak_ptr<std::string> watch = owner;
  OutputFrame f;
  {
    Records records = Records::View(*owner, owner);
    WireWriter w;
    w.AppendRecords(records);
    f = std::move(w).Finish();
    owner.reset();
  }
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(Flat(f), std::string(WireWriter::kInlineCopyLimit * 2, 'k'));
  f = OutputFrame();
  EXPECT_TRUE(watch.expired());
}

TEST(WireWriterTest, FinishFrameStoresTheSizeAfterThePrefix) {
  std::string big(5000, 'r');
  WireWriter w;
  w.WriteInt32(0);
  w.WriteInt16(3);
  w.AppendRecords(Records::View(big));
  OutputFrame f = std::move(w).FinishFrame();
  std::string flat = Flat(f);
  ASSERT_EQ(flat.size(), 4u + 2 + 5000);
  EXPECT_EQ(LoadBE32(flat.data()), 2u + 5000);
}

TEST(WireWriterTest, AppendKeepsExternalPiecesInPlace) {
  std::string big(3000, 'b');
  WireWriter inner;
  inner.WriteInt8('i');
  inner.AppendRecords(Records::View(big));
  inner.WriteInt8('j');
  WireWriter outer;
  outer.WriteInt8('o');
  outer.Append(std::move(inner));
  outer.WriteInt8('p');
  EXPECT_EQ(outer.size(), 4 + 3000);
  EXPECT_EQ(Flat(std::move(outer).Finish()), "oi" + big + "jp");
}

TEST(WireWriterTest, FailIsStickyAndKeepsTheFirstMessage) {
  WireWriter w;
  EXPECT_TRUE(w.ok());
  w.Fail("first");
  w.Fail("second");
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "first");
}

TEST(RecordsTest, NullEmptyAndContentAreDistinct) {
  Records null_records;
  EXPECT_TRUE(null_records.is_null());
  EXPECT_TRUE(Records::Empty() == Records::View(""));
  EXPECT_FALSE(Records::Empty() == null_records);
  EXPECT_TRUE(Records::Empty().is_contiguous());
  EXPECT_EQ(Records::View("abc").contiguous_bytes(), "abc");
}

TEST(RecordsTest, EqualityIgnoresPieceBoundariesBetweenByteViews) {
  Records a;
  a.AppendBytes("ab");
  a.AppendBytes("cde");
  Records b = Records::View("abcde");
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a.is_contiguous());
  EXPECT_EQ(a.size(), 5);
  EXPECT_FALSE(a == Records::View("abcdf"));
  EXPECT_FALSE(a == Records::View("abcd"));
}

TEST(RecordsTest, FileRegionsCompareByFileAndRange) {
  Records a, b, c;
  a.AppendFile(FileRegion{nullptr, 3, 10, 20});
  b.AppendFile(FileRegion{nullptr, 3, 10, 20});
  c.AppendFile(FileRegion{nullptr, 3, 11, 20});
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);
  EXPECT_FALSE(a == Records::View(std::string(20, 'x')));
}

TEST(ZeroCopyTest, DecodedProduceRecordsPointIntoTheRequestBytes) {
  std::string batch(4096, 'z');
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  auto& topic = req.topic_data.emplace_back();
  topic.name = "t";
  auto& part = topic.partition_data.emplace_back();
  part.index = 0;
  part.records = Records::View(batch);
  for (int16_t v : {7, 9, 11}) {
    WireWriter w;
    req.Encode(w, v);
    std::string wire = Flat(std::move(w).Finish());
    ByteReader r(wire);
    ProduceRequest decoded;
    ASSERT_TRUE(decoded.Decode(r, v).ok());
    std::string_view view = decoded.topic_data[0].partition_data[0].records.contiguous_bytes();
    EXPECT_GE(view.data(), wire.data());
    EXPECT_LE(view.data() + view.size(), wire.data() + wire.size());
    EXPECT_EQ(view, batch);
  }
}

TEST(ZeroCopyTest, FetchResponseSendsFileRegionsAsFileSegments) {
  std::string on_disk = std::string(100, 'a') + std::string(6000, 'b');
  TempFile file(on_disk);
  FetchResponse resp;
  auto& topic = resp.responses.emplace_back();
  topic.topic = "events";
  auto& part = topic.partitions.emplace_back();
  part.partition_index = 2;
  part.high_watermark = 42;
  part.records.AppendFile(FileRegion{nullptr, file.fd(), 100, 6000});
  WireWriter w;
  resp.Encode(w, 11);
  ASSERT_TRUE(w.ok());
  OutputFrame f = std::move(w).Finish();
  int file_segments = 0;
  for (const auto& s : f.Segments()) file_segments += s.file != nullptr;
  EXPECT_EQ(file_segments, 1);
  std::string flat = Flat(f);
  ByteReader r(flat);
  FetchResponse decoded;
  ASSERT_TRUE(decoded.Decode(r, 11).ok());
  EXPECT_EQ(decoded.responses[0].partitions[0].records.contiguous_bytes(), std::string(6000, 'b'));
  EXPECT_EQ(decoded.responses[0].partitions[0].high_watermark, 42);
}

}  // namespace
}  // namespace gregor::kafka
