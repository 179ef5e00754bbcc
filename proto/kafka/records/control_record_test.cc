#include "proto/kafka/records/control_record.h"

#include <string>

#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::kafka {
namespace {

TEST(ControlRecordTest, EncodesKeysAndValuesByteForByte) {
  EXPECT_EQ(EncodeControlRecordKey(ControlRecordType::kAbort), std::string("\0\0\0\0", 4));
  EXPECT_EQ(EncodeControlRecordKey(ControlRecordType::kCommit), std::string("\0\0\0\1", 4));
  EXPECT_EQ(EncodeEndTxnMarkerValue(0x01020304), std::string("\0\0\1\2\3\4", 6));
}

TEST(ControlRecordTest, BuildsACommitMarkerBatchLikeKafka) {
  EndTxnMarkerBatchOptions o;
  o.producer_id = 4000;
  o.producer_epoch = 7;
  o.base_offset = 55;
  o.partition_leader_epoch = 3;
  o.timestamp_ms = 1700000000000;
  auto batch = BuildEndTxnMarkerBatch({.commit = true, .coordinator_epoch = 12}, o);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE(ValidateBatch(*batch).ok());
  BatchHeader h = ParseBatchHeader(batch->data());
  EXPECT_TRUE(h.is_control());
  EXPECT_TRUE(h.is_transactional());
  EXPECT_EQ(h.compression(), Compression::kNone);
  EXPECT_EQ(h.producer_id, 4000);
  EXPECT_EQ(h.producer_epoch, 7);
  EXPECT_EQ(h.base_sequence, -1);
  EXPECT_EQ(h.base_offset, 55);
  EXPECT_EQ(h.partition_leader_epoch, 3);
  EXPECT_EQ(h.records_count, 1);

  RecordBatchReader reader;
  ASSERT_TRUE(reader.Reset(*batch).ok());
  Record r;
  ASSERT_TRUE(reader.Next(&r));
  EXPECT_EQ(r.offset, 55);
  EXPECT_EQ(r.timestamp, 1700000000000);
  auto key = ParseControlRecordKey(*r.key);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->version, 0);
  EXPECT_EQ(key->type, static_cast<int16_t>(ControlRecordType::kCommit));
  auto marker = ParseEndTxnMarker(r);
  ASSERT_TRUE(marker.ok()) << marker.status();
  EXPECT_EQ(*marker, (EndTxnMarker{.commit = true, .coordinator_epoch = 12}));
  EXPECT_FALSE(reader.Next(&r));
  EXPECT_TRUE(reader.status().ok());
}

TEST(ControlRecordTest, RoundTripsAnAbortMarker) {
  auto batch = BuildEndTxnMarkerBatch({.commit = false, .coordinator_epoch = -1}, {});
  ASSERT_TRUE(batch.ok());
  RecordBatchReader reader;
  ASSERT_TRUE(reader.Reset(*batch).ok());
  Record r;
  ASSERT_TRUE(reader.Next(&r));
  auto marker = ParseEndTxnMarker(r);
  ASSERT_TRUE(marker.ok());
  EXPECT_FALSE(marker->commit);
  EXPECT_EQ(marker->coordinator_epoch, -1);
}

Record WithKeyValue(std::optional<std::string_view> key, std::optional<std::string_view> value) {
  Record r;
  r.key = key;
  r.value = value;
  return r;
}

TEST(ControlRecordTest, AcceptsNewerVersionsWithExtraBytes) {
  std::string key("\0\1\0\1extra", 9);
  std::string value("\0\2\0\0\0\5more", 10);
  auto m = ParseEndTxnMarker(WithKeyValue(key, value));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->commit);
  EXPECT_EQ(m->coordinator_epoch, 5);
}

TEST(ControlRecordTest, RejectsMalformedMarkers) {
  std::string commit = EncodeControlRecordKey(ControlRecordType::kCommit);
  std::string value = EncodeEndTxnMarkerValue(1);
  EXPECT_EQ(ParseControlRecordKey("abc").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseControlRecordKey(std::string("\xff\xff\0\1", 4)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseEndTxnMarker(WithKeyValue(std::nullopt, value)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseEndTxnMarker(WithKeyValue(commit, std::nullopt)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseEndTxnMarker(WithKeyValue(commit, value.substr(0, 5))).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseEndTxnMarker(WithKeyValue(commit, std::string("\x80\0\0\0\0\0", 6))).status().code(),
            absl::StatusCode::kDataLoss);
  std::string leader_change = EncodeControlRecordKey(ControlRecordType::kLeaderChange);
  EXPECT_EQ(ParseEndTxnMarker(WithKeyValue(leader_change, value)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gregor::kafka
