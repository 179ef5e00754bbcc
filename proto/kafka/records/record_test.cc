#include "proto/kafka/records/record.h"

#include <string>
#include <vector>

#include "common/bytes.h"
#include "gtest/gtest.h"

namespace gregor::kafka {
namespace {

TEST(RecordTest, EncodesLikeKafkaDefaultRecord) {
  // Offset delta 1, timestamp delta 2, key "k", value "vv", one header a=null.
  std::vector<RecordHeader> headers = {{"a", std::nullopt}};
  std::string out;
  AppendRecord(2, 1, std::string_view("k"), std::string_view("vv"), headers, &out);
  // body: attrs 0, ts 2 -> 4, off 1 -> 2, keylen 1 -> 2 'k', vlen 2 -> 4 'vv',
  // count 1 -> 2, hkey len 1 -> 2 'a', hval -1 -> 1  = 12 bytes -> length 24.
  std::string expected = std::string("\x18\x00\x04\x02\x02k\x04vv\x02\x02" "a\x01", 13);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(EncodedRecordSize(2, 1, std::string_view("k"), std::string_view("vv"), headers),
            out.size());
}

TEST(RecordTest, ParsesWhatItEncodes) {
  std::vector<RecordHeader> headers = {{"h1", std::string_view("x")}, {"", std::string_view("")},
                                       {"h3", std::nullopt}};
  std::string out;
  AppendRecord(-5, 300, std::nullopt, std::string_view(""), headers, &out);
  Record r;
  size_t consumed = 0;
  ASSERT_TRUE(ParseRecord(out, &r, &consumed).ok());
  EXPECT_EQ(consumed, out.size());
  EXPECT_EQ(r.size_bytes, out.size());
  EXPECT_EQ(r.timestamp_delta, -5);
  EXPECT_EQ(r.offset_delta, 300);
  EXPECT_FALSE(r.key.has_value());
  ASSERT_TRUE(r.value.has_value());
  EXPECT_TRUE(r.value->empty());
  std::vector<RecordHeader> got(r.headers.begin(), r.headers.end());
  EXPECT_EQ(got, headers);
  EXPECT_EQ(r.headers.size(), 3);
}

TEST(RecordTest, ParseStopsAtTheRecordBoundary) {
  std::string out;
  AppendRecord(0, 0, std::string_view("a"), std::string_view("b"), {}, &out);
  size_t first = out.size();
  AppendRecord(0, 1, std::string_view("c"), std::string_view("d"), {}, &out);
  Record r;
  size_t consumed = 0;
  ASSERT_TRUE(ParseRecord(out, &r, &consumed).ok());
  EXPECT_EQ(consumed, first);
  EXPECT_EQ(*r.key, "a");
}

// Builds a record body by hand, prefixed with `length` (or its real length).
std::string HandRecord(const std::function<void(ByteWriter&)>& body,
                       std::optional<int32_t> length = std::nullopt) {
  ByteWriter b;
  body(b);
  ByteWriter w;
  w.WriteVarint(length.value_or(static_cast<int32_t>(b.size())));
  w.WriteBytes(b.data());
  return w.Release();
}

void Fields(ByteWriter& w, int32_t key_len, std::string_view key, int32_t value_len,
            std::string_view value, int32_t header_count) {
  w.WriteInt8(0);
  w.WriteVarlong(0);
  w.WriteVarint(0);
  w.WriteVarint(key_len);
  w.WriteBytes(key);
  w.WriteVarint(value_len);
  w.WriteBytes(value);
  w.WriteVarint(header_count);
}

absl::StatusCode ParseCode(std::string_view data) {
  Record r;
  size_t consumed = 0;
  return ParseRecord(data, &r, &consumed).code();
}

TEST(RecordTest, RejectsEveryKindOfMalformedRecord) {
  const auto kLoss = absl::StatusCode::kDataLoss;
  // Length varint: empty, unterminated, 6 bytes long, overflowing 32 bits.
  EXPECT_EQ(ParseCode(""), kLoss);
  EXPECT_EQ(ParseCode("\x80\x80"), kLoss);
  EXPECT_EQ(ParseCode("\xff\xff\xff\xff\xff\x01"), kLoss);
  EXPECT_EQ(ParseCode("\xff\xff\xff\xff\x7f"), kLoss);
  // Negative and too-small lengths.
  EXPECT_EQ(ParseCode(std::string("\x01\x00\x00\x00\x00\x00\x00", 7)), kLoss);
  EXPECT_EQ(ParseCode(std::string("\x0a\x00\x00\x00\x00\x00", 6)), kLoss);  // 5 < 6
  // Length past the end.
  std::string ok = HandRecord([](ByteWriter& w) { Fields(w, 1, "k", 1, "v", 0); });
  EXPECT_EQ(ParseCode(ok), absl::StatusCode::kOk);
  EXPECT_EQ(ParseCode(ok.substr(0, ok.size() - 1)), kLoss);
  // Key length past the record, key length -2, value length past the record.
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) { Fields(w, 50, "k", 1, "v", 0); })), kLoss);
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) { Fields(w, -2, "", 1, "v", 0); })), kLoss);
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) { Fields(w, 1, "k", 9, "v", 0); })), kLoss);
  // Header count negative or larger than the bytes allow.
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) { Fields(w, 1, "k", 1, "v", -1); })), kLoss);
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) { Fields(w, 1, "k", 1, "v", 1 << 30); })), kLoss);
  // A null header key; a header value past the end.
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) {
              Fields(w, 1, "k", 1, "v", 1);
              w.WriteVarint(-1);
              w.WriteVarint(-1);
            })),
            kLoss);
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) {
              Fields(w, 1, "k", 1, "v", 1);
              w.WriteVarint(1);
              w.WriteBytes("h");
              w.WriteVarint(7);
            })),
            kLoss);
  // Bytes left over inside the record after its fields.
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) {
              Fields(w, 1, "k", 1, "v", 0);
              w.WriteBytes("xx");
            })),
            kLoss);
  // A timestamp varlong of 11 bytes.
  EXPECT_EQ(ParseCode(HandRecord([](ByteWriter& w) {
              w.WriteInt8(0);
              w.WriteBytes("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
              w.WriteBytes(std::string(5, '\0'));
            })),
            kLoss);
}

TEST(RecordTest, EncodesLargeAndNegativeVarints) {
  std::string big(200000, 'v');
  std::string out;
  AppendRecord(std::numeric_limits<int64_t>::min(), std::numeric_limits<int32_t>::max(),
               std::string_view(big), std::nullopt, {}, &out);
  Record r;
  size_t consumed = 0;
  ASSERT_TRUE(ParseRecord(out, &r, &consumed).ok());
  EXPECT_EQ(r.timestamp_delta, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.offset_delta, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(r.key->size(), big.size());
  EXPECT_FALSE(r.value.has_value());
}

}  // namespace
}  // namespace gregor::kafka
