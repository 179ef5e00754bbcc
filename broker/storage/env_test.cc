#include "broker/storage/env.h"

#include <algorithm>

#include "broker/storage/testing/fault_env.h"
#include "broker/storage/testing/temp_dir.h"
#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

TEST(PosixEnvTest, WritesReadsSyncsAndTruncates) {
  testing::TempDir dir;
  Env* env = Env::Default();
  auto f = env->OpenFile(dir.Sub("a"), OpenMode::kCreateNew);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE((*f)->WriteAt(0, "hello world").ok());
  ASSERT_TRUE((*f)->WriteAt(6, "WORLD").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(*(*f)->Size(), 11u);
  EXPECT_GE((*f)->fd(), 0);
  char buf[32];
  auto n = (*f)->ReadAt(0, buf, sizeof(buf));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "hello WORLD");
  ASSERT_TRUE((*f)->Truncate(5).ok());
  EXPECT_EQ(*ReadFileToString(env, dir.Sub("a"), 100), "hello");
  EXPECT_TRUE(absl::IsAlreadyExists(env->OpenFile(dir.Sub("a"), OpenMode::kCreateNew).status()));
  EXPECT_TRUE(absl::IsNotFound(env->OpenFile(dir.Sub("b"), OpenMode::kRead).status()));
  EXPECT_TRUE(absl::IsOutOfRange(ReadFileToString(env, dir.Sub("a"), 3).status()));
}

TEST(PosixEnvTest, UnlinkedFileStaysReadableThroughOpenHandle) {
  testing::TempDir dir;
  Env* env = Env::Default();
  auto f = env->OpenFile(dir.Sub("seg"), OpenMode::kCreate);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->WriteAt(0, "data").ok());
  ASSERT_TRUE(env->DeleteFile(dir.Sub("seg")).ok());
  EXPECT_FALSE(env->FileExists(dir.Sub("seg")));
  char buf[4];
  EXPECT_EQ(*(*f)->ReadAt(0, buf, 4), 4u);
}

TEST(PosixEnvTest, DirectoryOperations) {
  testing::TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(env->CreateDir(dir.Sub("d")).ok());
  ASSERT_TRUE(env->CreateDir(dir.Sub("d")).ok());
  ASSERT_TRUE(WriteFileAtomically(env, dir.Sub("d/x"), "1").ok());
  ASSERT_TRUE(env->RenameFile(dir.Sub("d/x"), dir.Sub("d/y")).ok());
  auto names = env->ListDir(dir.Sub("d"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"y"});
  ASSERT_TRUE(env->SyncDir(dir.Sub("d")).ok());
  ASSERT_TRUE(DeleteDirAndFiles(env, dir.Sub("d")).ok());
  EXPECT_FALSE(env->FileExists(dir.Sub("d")));
}

TEST(PathTest, JoinAndDirName) {
  EXPECT_EQ(JoinPath("/a/b", "c"), "/a/b/c");
  EXPECT_EQ(JoinPath("/a/b/", "c"), "/a/b/c");
  EXPECT_EQ(DirName("/a/b/c"), "/a/b");
  EXPECT_EQ(DirName("c"), ".");
}

TEST(FaultInjectionEnvTest, InjectsWriteSyncAndOpenErrors) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  auto f = env.OpenFile(dir.Sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(f.ok());
  env.FailWrites(1, absl::InternalError("boom"));
  EXPECT_FALSE((*f)->WriteAt(0, "x").ok());
  EXPECT_TRUE((*f)->WriteAt(0, "x").ok());
  env.FailSyncs(-1, absl::InternalError("EIO"));
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_FALSE((*f)->Sync().ok());
  env.FailSyncs(0, absl::OkStatus());
  EXPECT_TRUE((*f)->Sync().ok());
  env.FailOpens(1, absl::ResourceExhaustedError("EMFILE"));
  EXPECT_FALSE(env.OpenFile(dir.Sub("b"), OpenMode::kCreate).ok());
}

TEST(FaultInjectionEnvTest, DiskFullWritesWhatFits) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  auto f = env.OpenFile(dir.Sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(f.ok());
  env.SetSpaceLeft(3);
  EXPECT_TRUE(absl::IsResourceExhausted((*f)->WriteAt(0, "hello")));
  EXPECT_EQ(*(*f)->Size(), 3u);
}

TEST(FaultInjectionEnvTest, PowerLossKeepsOnlyDurableBytesAndNames) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  {
    auto durable = env.OpenFile(dir.Sub("durable"), OpenMode::kCreate);
    ASSERT_TRUE((*durable)->WriteAt(0, "synced").ok());
    ASSERT_TRUE((*durable)->Sync().ok());
    ASSERT_TRUE(env.SyncDir(dir.path()).ok());
    ASSERT_TRUE((*durable)->WriteAt(6, "-lost").ok());
    auto fresh = env.OpenFile(dir.Sub("fresh"), OpenMode::kCreate);
    ASSERT_TRUE((*fresh)->WriteAt(0, "never named").ok());
    ASSERT_TRUE((*fresh)->Sync().ok());
  }
  ASSERT_TRUE(env.SimulatePowerLoss(TornTail::kNone, 1).ok());
  EXPECT_EQ(*ReadFileToString(&env, dir.Sub("durable"), 100), "synced");
  EXPECT_FALSE(env.FileExists(dir.Sub("fresh")));
}

TEST(FaultInjectionEnvTest, PowerLossCanLeaveATornTail) {
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  {
    auto f = env.OpenFile(dir.Sub("f"), OpenMode::kCreate);
    ASSERT_TRUE((*f)->WriteAt(0, "base").ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE(env.SyncDir(dir.path()).ok());
    ASSERT_TRUE((*f)->WriteAt(4, std::string(1000, 'x')).ok());
  }
  ASSERT_TRUE(env.SimulatePowerLoss(TornTail::kGarbage, 7).ok());
  std::string after = *ReadFileToString(&env, dir.Sub("f"), 10000);
  EXPECT_EQ(after.substr(0, 4), "base");
  EXPECT_LE(after.size(), 1004u);
}

}  // namespace
}  // namespace gregor::storage
