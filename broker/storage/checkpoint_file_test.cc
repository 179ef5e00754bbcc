#include "broker/storage/checkpoint_file.h"

#include "broker/storage/testing/temp_dir.h"
#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

TEST(CheckpointFileTest, OffsetCheckpointRoundTripsInKafkaLayout) {
  OffsetCheckpoint offsets{{{"orders", 0}, 52311}, {{"my-topic.v2", 13}, 0}};
  std::string text = EncodeOffsetCheckpoint(offsets);
  EXPECT_EQ(text, "0\n2\nmy-topic.v2 13 0\norders 0 52311\n");
  auto decoded = DecodeOffsetCheckpoint(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, offsets);
}

TEST(CheckpointFileTest, EmptyOffsetCheckpoint) {
  auto decoded = DecodeOffsetCheckpoint("0\n0\n");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

TEST(CheckpointFileTest, RejectsMalformedOffsetCheckpoints) {
  for (const char* bad :
       {"", "1\n0\n", "0\n2\nt 0 1\n", "0\n1\nt 0\n", "0\n1\nt x 1\n", "0\n1\nt -1 1\n",
        "0\n1\nbad/name 0 1\n", "0\n2\nt 0 1\nt 0 2\n", "zero\n0\n"}) {
    EXPECT_FALSE(DecodeOffsetCheckpoint(bad).ok()) << "accepted: " << bad;
  }
}

TEST(CheckpointFileTest, EpochCheckpointRoundTrips) {
  std::vector<EpochEntry> entries{{LeaderEpoch(0), Offset(0)}, {LeaderEpoch(3), Offset(5120)}};
  std::string text = EncodeEpochCheckpoint(entries);
  EXPECT_EQ(text, "0\n2\n0 0\n3 5120\n");
  auto decoded = DecodeEpochCheckpoint(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, entries);
}

TEST(CheckpointFileTest, RejectsOutOfOrderEpochs) {
  EXPECT_FALSE(DecodeEpochCheckpoint("0\n2\n3 10\n2 20\n").ok());
  EXPECT_FALSE(DecodeEpochCheckpoint("0\n2\n1 10\n2 5\n").ok());
  EXPECT_FALSE(DecodeEpochCheckpoint("0\n1\n-1 0\n").ok());
}

TEST(CheckpointFileTest, PartitionMetadataRoundTrips) {
  Uuid id(0x1234567890abcdefULL, 0x0fedcba987654321ULL);
  std::string text = EncodePartitionMetadata(id);
  EXPECT_EQ(text.rfind("version: 0\ntopic_id: ", 0), 0u);
  auto decoded = DecodePartitionMetadata(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, id);
  EXPECT_FALSE(DecodePartitionMetadata("version: 1\ntopic_id: x\n").ok());
  EXPECT_FALSE(DecodePartitionMetadata("version: 0\n").ok());
}

TEST(CheckpointFileTest, WritesAndReadsFilesAtomically) {
  testing::TempDir dir;
  Env* env = Env::Default();
  std::string path = dir.Sub(kRecoveryPointCheckpointFile);
  EXPECT_TRUE(absl::IsNotFound(ReadOffsetCheckpoint(env, path).status()));
  OffsetCheckpoint offsets{{{"a", 1}, 7}};
  ASSERT_TRUE(WriteOffsetCheckpoint(env, path, offsets).ok());
  offsets[{"b", 0}] = 9;
  ASSERT_TRUE(WriteOffsetCheckpoint(env, path, offsets).ok());
  auto read = ReadOffsetCheckpoint(env, path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, offsets);
  EXPECT_FALSE(env->FileExists(path + ".tmp"));
}

TEST(CheckpointFileTest, CorruptFileIsDataLossNamingThePath) {
  testing::TempDir dir;
  Env* env = Env::Default();
  std::string path = dir.Sub(kLeaderEpochCheckpointFile);
  ASSERT_TRUE(WriteFileAtomically(env, path, "0\n3\n1 2\n").ok());
  auto read = ReadEpochCheckpoint(env, path);
  EXPECT_TRUE(absl::IsDataLoss(read.status()));
  EXPECT_NE(read.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace gregor::storage
