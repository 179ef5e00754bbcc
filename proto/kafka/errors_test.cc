#include "proto/kafka/errors.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace gregor::kafka {
namespace {

TEST(ErrorsTest, CodesAreDenseFromMinusOneAndNamesUnique) {
  std::set<std::string_view> names;
  for (int i = 0; i < kErrorCount; ++i) {
    EXPECT_EQ(ToWire(kErrors[i].code), i - 1) << kErrors[i].name;
    EXPECT_TRUE(names.insert(kErrors[i].name).second) << kErrors[i].name;
    if (kErrors[i].code != ErrorCode::kNone) {
      EXPECT_FALSE(kErrors[i].message.empty()) << kErrors[i].name;
    }
  }
  EXPECT_EQ(kErrorCount, 135);
}

TEST(ErrorsTest, WellKnownCodesHaveKafkasNumbers) {
  EXPECT_EQ(ToWire(ErrorCode::kUnknownServerError), -1);
  EXPECT_EQ(ToWire(ErrorCode::kNone), 0);
  EXPECT_EQ(ToWire(ErrorCode::kUnknownTopicOrPartition), 3);
  EXPECT_EQ(ToWire(ErrorCode::kNotLeaderOrFollower), 6);
  EXPECT_EQ(ToWire(ErrorCode::kCoordinatorLoadInProgress), 14);
  EXPECT_EQ(ToWire(ErrorCode::kNotEnoughReplicas), 19);
  EXPECT_EQ(ToWire(ErrorCode::kUnsupportedVersion), 35);
  EXPECT_EQ(ToWire(ErrorCode::kGroupIdNotFound), 69);
  EXPECT_EQ(ToWire(ErrorCode::kMemberIdRequired), 79);
  EXPECT_EQ(ToWire(ErrorCode::kUnknownTopicId), 100);
  EXPECT_EQ(ToWire(ErrorCode::kTransactionAbortable), 120);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidRegularExpression), 128);
}

TEST(ErrorsTest, LooksUpNamesAndMessagesByWireValue) {
  const ErrorInfo* e = FindError(35);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->name, "UNSUPPORTED_VERSION");
  EXPECT_EQ(ErrorName(ErrorCode::kNotCoordinator), "NOT_COORDINATOR");
  EXPECT_EQ(ErrorName(ErrorCode::kNone), "NONE");
  EXPECT_EQ(ErrorMessage(ErrorCode::kNone), "");
  EXPECT_FALSE(ErrorMessage(ErrorCode::kRequestTimedOut).empty());
}

TEST(ErrorsTest, UnknownWireValuesAreNotFound) {
  EXPECT_EQ(FindError(-2), nullptr);
  EXPECT_EQ(FindError(134), nullptr);
  EXPECT_EQ(FindError(32767), nullptr);
  EXPECT_EQ(ErrorName(static_cast<ErrorCode>(500)), "UNKNOWN_ERROR_CODE");
}

}  // namespace
}  // namespace gregor::kafka
