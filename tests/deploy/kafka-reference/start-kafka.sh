#!/bin/bash
# Entrypoint of the Kafka reference image: writes server.properties for a
# combined broker+controller node from NODE_ID, VOTERS, EXTERNAL_PORT (the
# host port clients use; the container listens on 19092) and CLUSTER_ID, formats the log directory on first start, runs kafka.Kafka.
set -euo pipefail
: "${NODE_ID:?}" "${VOTERS:?}" "${EXTERNAL_PORT:?}" "${CLUSTER_ID:?}"
conf=/var/lib/kafka/server.properties
cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$VOTERS
controller.listener.names=CONTROLLER
listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093
advertised.listeners=INTERNAL://$(hostname):9092,EXTERNAL://localhost:$EXTERNAL_PORT
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
log.dirs=/var/lib/kafka/data
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
group.initial.rebalance.delay.ms=0
PROPS
cp=/opt/kafka/libs/*
log4j=(-Dlog4j2.configurationFile=/opt/kafka/log4j2.properties)
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  java "${log4j[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$conf"
fi
exec java -Xms${KAFKA_HEAP:-512m} -Xmx${KAFKA_HEAP:-512m} "${log4j[@]}" -cp "$cp" kafka.Kafka "$conf"
