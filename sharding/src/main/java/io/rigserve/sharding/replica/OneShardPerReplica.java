package io.rigserve.sharding.replica;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Every replica is a shard of its own (shard id = entity id), so placement can put each replica
 * on its own rig: external allocation places shards, not entities.
 */
final class OneShardPerReplica
    extends ShardingMessageExtractor<ShardingEnvelope<PartitionReplica.Command>, PartitionReplica.Command> {

  @Override
  public String entityId(ShardingEnvelope<PartitionReplica.Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public PartitionReplica.Command unwrapMessage(ShardingEnvelope<PartitionReplica.Command> envelope) {
    return envelope.message();
  }
}
