#include "broker/group/records.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

// Bytes from hex written with spaces for readability.
std::string Hex(std::string_view spaced) {
  std::string compact = absl::StrReplaceAll(absl::string_view(spaced.data(), spaced.size()),
                                            {{" ", ""}, {"\n", ""}});
  return absl::HexStringToBytes(compact);
}

std::string ToHex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// Golden bytes below are derived by hand from Kafka's schemas
// (OffsetCommitKey.json etc.), field by field, as docs/formats/consumer_offsets.md
// lays them out.

TEST(RecordsTest, OffsetCommitKeyMatchesKafkaLayout) {
  // version 1 | group "g" | topic "t" | partition 3
  auto bytes = EncodeOffsetCommitKey({"g", "t", 3});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes), ToHex(Hex("0001 0001 67 0001 74 00000003")));
  auto decoded = DecodeKey(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<OffsetCommitKey>(*decoded), (OffsetCommitKey{"g", "t", 3}));
}

TEST(RecordsTest, OffsetCommitKeyVersionZeroIsReadToo) {
  auto decoded = DecodeKey(Hex("0000 0002 6731 0002 7432 FFFFFFFF"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<OffsetCommitKey>(*decoded), (OffsetCommitKey{"g1", "t2", -1}));
}

TEST(RecordsTest, GroupMetadataKeyMatchesKafkaLayout) {
  auto bytes = EncodeGroupMetadataKey({"g"});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes), ToHex(Hex("0002 0001 67")));
  auto decoded = DecodeKey(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<GroupMetadataKey>(*decoded).group, "g");
}

TEST(RecordsTest, KeysOfOtherGroupTypesDecodeAsUnknown) {
  // Version 3 is ConsumerGroupMetadataKey in Kafka 4.
  auto decoded = DecodeKey(Hex("0003 0001 67"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<UnknownKey>(*decoded).version, 3);
}

TEST(RecordsTest, OffsetCommitValueV3MatchesKafkaLayout) {
  OffsetCommitValue v{.offset = 10, .leader_epoch = 0, .metadata = "",
                      .commit_timestamp_ms = 1700000000000};
  EXPECT_EQ(OffsetCommitValueVersionFor(v), 3);
  auto bytes = EncodeOffsetCommitValue(v, 3);
  ASSERT_TRUE(bytes.ok());
  // version 3 | offset | leader epoch | metadata "" | commit timestamp
  EXPECT_EQ(ToHex(*bytes), ToHex(Hex("0003 000000000000000A 00000000 0000 0000018BCFE56800")));
  auto decoded = DecodeOffsetCommitValue(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, v);
}

TEST(RecordsTest, OffsetCommitValueWithExpireTimestampIsVersionOne) {
  OffsetCommitValue v{.offset = 7, .leader_epoch = -1, .metadata = "m",
                      .commit_timestamp_ms = 1, .expire_timestamp_ms = 2};
  EXPECT_EQ(OffsetCommitValueVersionFor(v), 1);
  auto bytes = EncodeOffsetCommitValue(v, 1);
  ASSERT_TRUE(bytes.ok());
  // version 1 | offset | metadata "m" | commit ts | expire ts (no leader epoch)
  EXPECT_EQ(ToHex(*bytes),
            ToHex(Hex("0001 0000000000000007 0001 6D 0000000000000001 0000000000000002")));
  auto decoded = DecodeOffsetCommitValue(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, v);
}

TEST(RecordsTest, OffsetCommitValueOldAndFlexibleVersionsAreRead) {
  // v0: offset 5, metadata "", commit ts 9.
  auto v0 = DecodeOffsetCommitValue(Hex("0000 0000000000000005 0000 0000000000000009"));
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(v0->offset, 5);
  EXPECT_EQ(v0->leader_epoch, -1);
  EXPECT_EQ(v0->expire_timestamp_ms, -1);
  EXPECT_EQ(v0->commit_timestamp_ms, 9);
  // v4 (flexible): offset 5, epoch 2, metadata "ab" (compact: 03), ts 9, one
  // unknown tagged field (tag 0, 1 byte).
  auto v4 = DecodeOffsetCommitValue(
      Hex("0004 0000000000000005 00000002 03 6162 0000000000000009 01 00 01 FF"));
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->leader_epoch, 2);
  EXPECT_EQ(v4->metadata, "ab");
  EXPECT_EQ(v4->commit_timestamp_ms, 9);
}

TEST(RecordsTest, EmptyGroupMetadataValueMatchesKafkaLayout) {
  GroupMetadataValue v{.protocol_type = "consumer", .generation = 2,
                       .current_state_timestamp_ms = 1700000000000};
  auto bytes = EncodeGroupMetadataValue(v, 3);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes),
            ToHex(Hex("0003 0008 636F6E73756D6572 00000002 FFFF FFFF 0000018BCFE56800 00000000")));
  auto decoded = DecodeGroupMetadataValue(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, v);
}

TEST(RecordsTest, GroupMetadataValueWithMemberMatchesKafkaLayout) {
  GroupMetadataValue v{.protocol_type = "consumer",
                       .generation = 1,
                       .protocol = "range",
                       .leader = "m-1",
                       .current_state_timestamp_ms = 1700000000000,
                       .members = {{.member_id = "m-1",
                                    .client_id = "c",
                                    .client_host = "/1.2.3.4",
                                    .rebalance_timeout_ms = 300000,
                                    .session_timeout_ms = 45000,
                                    .subscription = std::string("\x00\x01", 2),
                                    .assignment = ""}}};
  auto bytes = EncodeGroupMetadataValue(v, 3);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes), ToHex(Hex(
                               "0003"
                               "0008 636F6E73756D6572"  // protocolType "consumer"
                               "00000001"               // generation 1
                               "0005 72616E6765"        // protocol "range"
                               "0003 6D2D31"            // leader "m-1"
                               "0000018BCFE56800"       // currentStateTimestamp
                               "00000001"               // 1 member
                               "0003 6D2D31"            //   memberId
                               "FFFF"                   //   groupInstanceId null
                               "0001 63"                //   clientId "c"
                               "0008 2F312E322E332E34"  //   clientHost "/1.2.3.4"
                               "000493E0"               //   rebalanceTimeout 300000
                               "0000AFC8"               //   sessionTimeout 45000
                               "00000002 0001"          //   subscription
                               "00000000")));           //   assignment ""
  auto decoded = DecodeGroupMetadataValue(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, v);
}

TEST(RecordsTest, GroupMetadataValueVersionZeroDefaultsMissingFields) {
  auto decoded = DecodeGroupMetadataValue(Hex(
      "0000 0008 636F6E73756D6572 00000003 0005 72616E6765 0001 61"
      "00000001 0001 61 0001 63 0001 68 00002710 00000000 00000001 AA"));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->generation, 3);
  EXPECT_EQ(decoded->current_state_timestamp_ms, -1);
  ASSERT_EQ(decoded->members.size(), 1u);
  EXPECT_EQ(decoded->members[0].member_id, "a");
  EXPECT_EQ(decoded->members[0].group_instance_id, std::nullopt);
  EXPECT_EQ(decoded->members[0].rebalance_timeout_ms, -1);
  EXPECT_EQ(decoded->members[0].session_timeout_ms, 10000);
  EXPECT_EQ(decoded->members[0].assignment, "\xAA");
}

TEST(RecordsTest, GroupMetadataValueFlexibleVersionSkipsTaggedFields) {
  auto decoded = DecodeGroupMetadataValue(Hex(
      "0004"
      "09 636F6E73756D6572"  // compact "consumer"
      "00000001"
      "00 00"                // protocol, leader: null
      "0000000000000005"
      "02"                   // 1 member
      "04 6D2D31 05 696E7374 02 63 01 00000001 00000002 01 02 BB"
      "01 05 02 CAFE"        // member: one tagged field (tag 5, 2 bytes)
      "00"));                // no top-level tagged fields
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->protocol_type, "consumer");
  EXPECT_EQ(decoded->protocol, std::nullopt);
  ASSERT_EQ(decoded->members.size(), 1u);
  EXPECT_EQ(decoded->members[0].group_instance_id, "inst");
  EXPECT_EQ(decoded->members[0].client_host, "");
  EXPECT_EQ(decoded->members[0].subscription, "");
  EXPECT_EQ(decoded->members[0].assignment, "\xBB");
  // And the flexible encoder writes what the decoder reads.
  auto again = EncodeGroupMetadataValue(*decoded, 4);
  ASSERT_TRUE(again.ok());
  auto redecoded = DecodeGroupMetadataValue(*again);
  ASSERT_TRUE(redecoded.ok());
  EXPECT_EQ(*redecoded, *decoded);
}

TEST(RecordsTest, MalformedBytesAreDataLoss) {
  EXPECT_EQ(DecodeKey("").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeKey(Hex("0001 0005 6767")).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeKey(Hex("0002 0001 67 00")).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeOffsetCommitValue(Hex("0009 00")).status().code(), absl::StatusCode::kDataLoss);
  // A member count far beyond the bytes present must not allocate.
  EXPECT_EQ(DecodeGroupMetadataValue(Hex("0003 0000 00000001 FFFF FFFF 0000000000000000 7FFFFFFF"))
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  // Null in a non-nullable bytes field.
  EXPECT_EQ(DecodeGroupMetadataValue(Hex("0001 0000 00000001 FFFF FFFF 00000001 0001 61 0001 63"
                                         "0001 68 00000001 00000001 FFFFFFFF 00000000"))
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(RecordsTest, StringsTooLongForInt16LengthAreRejected) {
  std::string huge(kMaxRecordStringBytes + 1, 'x');
  EXPECT_EQ(EncodeOffsetCommitKey({huge, "t", 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(EncodeOffsetCommitKey({std::string(kMaxRecordStringBytes, 'x'), "t", 0}).ok());
}

TEST(RecordsTest, TombstonesHaveNoValue) {
  auto t = MakeOffsetCommitTombstone({"g", "t", 0});
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->value.has_value());
  auto g = MakeGroupMetadataTombstone("g");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->key, Hex("0002 0001 67"));
  EXPECT_FALSE(g->value.has_value());
}

TEST(RecordsTest, ParsesTopicsOfARealJavaSubscription) {
  // The "range" metadata the Java 4.1.1 console consumer sent (observed).
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape("AAMAAAABAAthbmNob3ItamF2Yf////8AAAAA////////", &raw));
  auto topics = ParseConsumerSubscriptionTopics(raw);
  ASSERT_TRUE(topics.ok()) << topics.status();
  EXPECT_THAT(*topics, testing::ElementsAre("anchor-java"));
  EXPECT_FALSE(ParseConsumerSubscriptionTopics(Hex("0000 00000002 0001 61")).ok());
}

}  // namespace
}  // namespace gregor::broker::group
