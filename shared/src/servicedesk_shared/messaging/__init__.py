"""Messaging over RabbitMQ: the envelope, the topology, the outbox relay, idempotent consumers.

envelope.py   the §6 envelope every event travels in
topology.py   exchanges and queues: `servicedesk.events` (topic, durable) with an
              alternate exchange so no event is ever unroutable, and per-consumer
              quorum queues dead-lettering into `<queue>.dlq`
relay.py      publishes outbox rows (SKIP LOCKED, confirms, mandatory), marks them sent
consumer.py   runs a handler per delivery inside one transaction with an inbox row;
              acks after commit, retries with backoff, then dead-letters
metrics.py    Prometheus counters and gauges for all of the above
"""
