#include "controller/topic_names.h"

#include <string>

#include "gtest/gtest.h"

namespace gregor::controller {
namespace {

TEST(TopicNamesTest, AcceptsKafkaLegalNames) {
  for (const char* name : {"a", "orders", "Orders.v2", "__consumer_offsets", "a-b_c.d", "0"}) {
    EXPECT_TRUE(ValidateTopicName(name).ok()) << name;
  }
  EXPECT_TRUE(ValidateTopicName(std::string(249, 'x')).ok());
}

TEST(TopicNamesTest, RejectsWhatKafkaRejects) {
  struct Case {
    std::string name;
    std::string message;
  };
  const Case cases[] = {
      {"", "Topic name is illegal, it can't be empty"},
      {".", "Topic name cannot be \".\" or \"..\""},
      {"..", "Topic name cannot be \".\" or \"..\""},
      {std::string(250, 'x'),
       "Topic name is illegal, it can't be longer than 249 characters, topic name: " +
           std::string(250, 'x')},
      {"a b", "Topic name \"a b\" is illegal, it contains a character other than ASCII "
              "alphanumerics, '.', '_' and '-'"},
      {"a/b", "Topic name \"a/b\" is illegal, it contains a character other than ASCII "
              "alphanumerics, '.', '_' and '-'"},
      {"caf\xc3\xa9", "Topic name \"caf\xc3\xa9\" is illegal, it contains a character other than "
                      "ASCII alphanumerics, '.', '_' and '-'"},
      {std::string("a\0b", 3), "Topic name \"" + std::string("a\0b", 3) +
                                   "\" is illegal, it contains a character other than ASCII "
                                   "alphanumerics, '.', '_' and '-'"},
  };
  for (const Case& c : cases) {
    ApiError e = ValidateTopicName(c.name);
    EXPECT_EQ(e.code, KafkaError::kInvalidTopicException) << c.name;
    EXPECT_EQ(e.message, c.message);
  }
}

}  // namespace
}  // namespace gregor::controller
