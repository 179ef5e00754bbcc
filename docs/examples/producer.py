"""Send a few JSON messages to Kafka (or Gregor) with kafka-python.

    pip install kafka-python
    python producer.py

The broker address comes from KAFKA_BOOTSTRAP_SERVERS (default localhost:9092).
"""
import json
import os
import time

from kafka import KafkaProducer

bootstrap_servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")

producer = KafkaProducer(
    bootstrap_servers=bootstrap_servers,
    value_serializer=lambda v: json.dumps(v).encode("utf-8"),
)

for i in range(10):
    message = {"id": i, "text": f"hello kafka {i}", "sent_at": time.time()}
    producer.send("example_topic", message)
    print(f"sent {message}")

producer.flush()
producer.close()
