// The service definitions compile and their messages round-trip.
#include "gtest/gtest.h"
#include "proto/controller.grpc.pb.h"
#include "proto/raft.grpc.pb.h"
#include "proto/replica.grpc.pb.h"

namespace gregor {
namespace {

TEST(ProtoTest, MetadataBatchRoundTrips) {
  metadata::MetadataBatch batch;
  auto* topic = batch.add_records()->mutable_topic();
  topic->set_name("orders");
  topic->mutable_topic_id()->set_hi(1);
  auto* part = batch.add_records()->mutable_partition();
  part->add_replicas(1);
  part->add_replicas(2);
  part->set_leader(1);
  std::string bytes = batch.SerializeAsString();
  metadata::MetadataBatch back;
  ASSERT_TRUE(back.ParseFromString(bytes));
  EXPECT_EQ(back.records(0).topic().name(), "orders");
  EXPECT_EQ(back.records(1).partition().replicas_size(), 2);
  EXPECT_TRUE(back.records(1).has_partition());
}

TEST(ProtoTest, ServicesHaveStubs) {
  EXPECT_STREQ(raftpb::RaftService::service_full_name(), "gregor.raftpb.RaftService");
  EXPECT_STREQ(controllerpb::ControllerService::service_full_name(),
               "gregor.controllerpb.ControllerService");
  EXPECT_STREQ(replicapb::ReplicaService::service_full_name(),
               "gregor.replicapb.ReplicaService");
}

}  // namespace
}  // namespace gregor
