#include "proto/kafka/records/batch_iterator.h"

#include <string>
#include <vector>

#include "common/bytes.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/record_batch_builder.h"

namespace gregor::kafka {
namespace {

std::string Batch(int64_t base_offset, int records, Compression c = Compression::kNone) {
  RecordBatchBuilderOptions o;
  o.base_offset = base_offset;
  o.compression = c;
  RecordBatchBuilder b(o);
  for (int i = 0; i < records; ++i) {
    EXPECT_TRUE(b.Append(i, "k" + std::to_string(i), "v").ok());
  }
  return *b.Build();
}

TEST(BatchIteratorTest, SplitsConcatenatedBatches) {
  std::string a = Batch(0, 3), b = Batch(3, 1, Compression::kZstd), c = Batch(4, 10);
  std::string all = a + b + c;
  BatchIterator it(all);
  std::string_view batch;
  std::vector<int64_t> bases;
  std::vector<size_t> sizes;
  while (it.Next(&batch)) {
    bases.push_back(it.header().base_offset);
    sizes.push_back(batch.size());
  }
  ASSERT_TRUE(it.status().ok()) << it.status();
  EXPECT_EQ(bases, (std::vector<int64_t>{0, 3, 4}));
  EXPECT_EQ(sizes, (std::vector<size_t>{a.size(), b.size(), c.size()}));
  EXPECT_EQ(it.valid_bytes(), all.size());
  EXPECT_EQ(it.batch_count(), 3);
  EXPECT_FALSE(it.truncated_tail());

  auto split = SplitBatches(all);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->size(), 3u);
  EXPECT_EQ((*split)[1], b);
}

TEST(BatchIteratorTest, AnEmptyBufferHasNoBatches) {
  auto split = SplitBatches("");
  ASSERT_TRUE(split.ok());
  EXPECT_TRUE(split->empty());
}

TEST(BatchIteratorTest, TruncatedTailIsAnErrorUnlessAllowed) {
  std::string all = Batch(0, 2) + Batch(2, 2);
  for (size_t cut : {size_t{5}, size_t{11}, size_t{12}, size_t{40}, size_t{70}}) {
    std::string data = all.substr(0, all.size() - cut);
    BatchIterator strict(data);
    std::string_view b;
    ASSERT_TRUE(strict.Next(&b));
    EXPECT_FALSE(strict.Next(&b));
    EXPECT_EQ(strict.status().code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_EQ(strict.valid_bytes(), all.size() / 2);

    BatchIterator lenient(data, {.allow_truncated_tail = true});
    ASSERT_TRUE(lenient.Next(&b));
    EXPECT_FALSE(lenient.Next(&b));
    EXPECT_TRUE(lenient.status().ok()) << cut << ": " << lenient.status();
    EXPECT_TRUE(lenient.truncated_tail());
    EXPECT_EQ(lenient.valid_bytes(), all.size() / 2);
  }
}

TEST(BatchIteratorTest, StopsAtTheFirstCorruptBatchAndReportsTheValidPrefix) {
  std::string a = Batch(0, 2), b = Batch(2, 2), c = Batch(4, 2);
  std::string all = a + b + c;
  all[a.size() + 70] ^= 0x20;  // inside the second batch's records
  for (bool lenient : {false, true}) {
    BatchIterator it(all, {.allow_truncated_tail = lenient});
    std::string_view batch;
    int n = 0;
    while (it.Next(&batch)) ++n;
    EXPECT_EQ(n, 1);
    EXPECT_EQ(it.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(it.valid_bytes(), a.size());
  }
  BatchIterator no_crc(all, {.verify_crc = false});
  std::string_view batch;
  int n = 0;
  while (no_crc.Next(&batch)) ++n;
  EXPECT_EQ(n, 3);
}

TEST(BatchIteratorTest, RejectsBadLengthsAndOversizedBatches) {
  std::string a = Batch(0, 2);
  std::string neg = a;
  StoreBE32(neg.data() + 8, 0x80000000u);
  EXPECT_EQ(SplitBatches(neg).status().code(), absl::StatusCode::kDataLoss);
  std::string small = a;
  StoreBE32(small.data() + 8, 10);
  EXPECT_EQ(SplitBatches(small).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(SplitBatches(a, {.max_batch_bytes = a.size() - 1}).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(SplitBatches(a, {.max_batch_bytes = a.size()}).ok());
  std::string v1 = a;
  v1[16] = 1;
  EXPECT_EQ(SplitBatches(v1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BatchIteratorTest, AHugeDeclaredLengthIsNotTrustedWithAllowedTail) {
  std::string a = Batch(0, 2);
  StoreBE32(a.data() + 8, 0x7fffffff);
  BatchIterator it(a, {.max_batch_bytes = size_t{1} << 40, .allow_truncated_tail = true});
  std::string_view b;
  EXPECT_FALSE(it.Next(&b));
  EXPECT_TRUE(it.truncated_tail());
  EXPECT_EQ(it.valid_bytes(), 0u);
}

}  // namespace
}  // namespace gregor::kafka
