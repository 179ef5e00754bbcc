"""Print the JSON messages of example_topic, from the beginning, as they arrive.

    pip install kafka-python
    python consumer.py          # Ctrl-C to stop

The broker address comes from KAFKA_BOOTSTRAP_SERVERS (default localhost:9092).
"""
import json
import os

from kafka import KafkaConsumer

bootstrap_servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")

consumer = KafkaConsumer(
    "example_topic",
    bootstrap_servers=bootstrap_servers,
    auto_offset_reset="earliest",
    value_deserializer=lambda m: json.loads(m.decode("utf-8")),
)

for message in consumer:
    print(f"topic={message.topic} offset={message.offset} value={message.value}", flush=True)
