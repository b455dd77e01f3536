"""`anjian monitor listen`: readings from MQTT into the pipeline.

* Subscribes to `anjian/v1/+/readings` at QoS 1 (with --shared:
  `$share/anjian/anjian/v1/+/readings`, so several listeners split the stream) on
  ANJIAN_MQTT_URL (default mqtt://127.0.0.1:1883).
* A persistent session (clean_session False, a stable client id) and manual acks: a
  message is acknowledged (PUBACK) only after the batch it came in has been committed.
  A listener killed before that gets it again from the broker when it reconnects (or
  the broker hands it to another member of the shared subscription); the pipeline
  suppresses the duplicate readings.
* paho's network thread reconnects by itself after the broker restarts; acks of
  messages received on an earlier connection are dropped (the broker resends them).
* Messages are batched, up to --batch-readings readings (counted by message) or
  --batch-ms milliseconds, into one pipeline call (one transaction for the readings).
* Two threads besides paho's: the main one collects a batch and validates it
  (Pipeline.prepare, no database write), the writer stores, evaluates and acknowledges
  it (Pipeline.commit), so the validation of batch N+1 overlaps the database's work on
  batch N; at most two validated batches wait for the writer. Batches are committed and
  acknowledged in the order they came.
* A bad message is rejected with its reason (stored and counted) and acknowledged: it
  never stops the listener. A database error keeps the batch unacknowledged and retries.
"""

from __future__ import annotations

import json
import logging
import queue
import signal
import socket
import sys
import threading
import time
from urllib.parse import urlparse

logger = logging.getLogger(__name__)

TOPIC = "anjian/v1/+/readings"
SHARED_TOPIC = "$share/anjian/anjian/v1/+/readings"


def gateway_of_topic(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) == 4 and parts[0] == "anjian" and parts[1] == "v1" and parts[3] == "readings":
        return parts[2]
    return None


def default_client_id(shared: bool, instance: int) -> str:
    return f"anjian-listener-{socket.gethostname()}" + (f"-{instance}" if shared else "")


class Listener:
    def __init__(
        self,
        *,
        url: str = "mqtt://127.0.0.1:1883",
        shared: bool = False,
        client_id: str | None = None,
        batch_messages: int = 200,
        batch_ms: int = 50,
        pipeline=None,
        stats_every: float = 0.0,
    ) -> None:
        import paho.mqtt.client as mqtt

        from .pipeline import Pipeline

        self.url = urlparse(url)
        self.topic = SHARED_TOPIC if shared else TOPIC
        self.client_id = client_id or default_client_id(shared, 1)
        self.batch_messages = batch_messages
        self.batch_seconds = batch_ms / 1000
        self.pipeline = pipeline or Pipeline()
        self.stats_every = stats_every
        self.inbox: queue.Queue = queue.Queue()
        self.writes: queue.Queue = queue.Queue(maxsize=2)  # prepared batches to the writer
        self.writer: threading.Thread | None = None
        self.generation = 0
        self.stopping = threading.Event()
        self.totals = {"messages": 0, "stored": 0, "duplicates": 0, "rejected": 0, "alarms": 0}
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        if self.url.username:
            self.client.username_pw_set(self.url.username, self.url.password)
        if self.url.scheme == "mqtts":
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # -- paho's thread
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connect refused: %s", reason_code)
            return
        self.generation += 1
        client.subscribe(self.topic, qos=1)
        logger.info("connected to %s, subscribed to %s", self.url.netloc, self.topic)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.generation += 1  # acks of what came before are void now
        if not self.stopping.is_set():
            logger.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        self.inbox.put((self.generation, message))

    # -- the main thread
    def start(self) -> None:
        port = self.url.port or (8883 if self.url.scheme == "mqtts" else 1883)
        self.client.connect_async(self.url.hostname or "127.0.0.1", port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()

    def run(self, *, max_seconds: float | None = None, idle_exit: float | None = None) -> dict:
        self.start()
        writer = self.writer = threading.Thread(
            target=self._write_loop, name="anjian-listener-writer"
        )
        writer.start()
        self._warm()
        started = last_message = last_stats = time.monotonic()
        try:
            while not self.stopping.is_set() and writer.is_alive():
                now = time.monotonic()
                if max_seconds is not None and now - started > max_seconds:
                    break
                if idle_exit is not None and now - last_message > idle_exit:
                    break
                batch = self._collect()
                if batch:
                    last_message = time.monotonic()
                    self._submit(batch)
                if self.stats_every and time.monotonic() - last_stats >= self.stats_every:
                    last_stats = time.monotonic()
                    sys.stderr.write(json.dumps(self.totals) + "\n")
        finally:
            # The writer finishes the batches handed to it (acks after each commit),
            # checkpoints the engine states and stops.
            self._put(None)
            writer.join()
            self.client.disconnect()
            self.client.loop_stop()
        return self.totals

    def _warm(self, *, rules: bool = False) -> None:
        """Connect and load the caches before the first message, so that the first
        batch of each thread is not slower than the next (two listeners on a shared
        subscription take a point's readings in turn)."""
        from django.db import connection

        try:
            connection.ensure_connection()
            self.pipeline.directory.points_of("")
            if rules and hasattr(self.pipeline.hooks, "rules"):
                self.pipeline.hooks.rules()
        except Exception:  # the database is away: the batches retry later
            logger.warning("could not warm up: %s", sys.exc_info()[1])
            connection.close()

    def _submit(self, batch: list) -> None:
        """Validate a batch here (the main thread) and hand it to the writer thread,
        which stores, evaluates and acknowledges it: parsing batch N+1 overlaps the
        database's work on batch N. The queue is short (2), so a slow database slows
        the reading of the inbox instead of piling batches up in memory."""
        payloads = [(m.payload, gateway_of_topic(m.topic) or "") for _, m in batch]
        try:
            prepared = self.pipeline.prepare(payloads)
        except Exception:
            # e.g. the database is away while the directory reloads: the writer
            # handles the batch whole, with its retries.
            from django.db import connection

            logger.exception("batch not prepared; the writer will retry it")
            connection.close()
            prepared = None
        self._put((batch, prepared))

    def _put(self, item) -> None:
        while self.writer is not None and self.writer.is_alive():
            try:
                self.writes.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _write_loop(self) -> None:
        from django.db import connection

        try:
            self._warm(rules=True)
            while True:
                item = self.writes.get()
                if item is None:
                    break
                self._handle(*item)
            self.pipeline.checkpoint()
        finally:
            connection.close()

    def _collect(self) -> list:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_seconds
        while len(batch) < self.batch_messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _handle(self, batch: list, prepared=None) -> None:
        from django.db import close_old_connections, connection
        from django.db.utils import InterfaceError, OperationalError

        payloads = [(m.payload, gateway_of_topic(m.topic) or "") for _, m in batch]
        while True:
            try:
                if prepared is not None:
                    result = self.pipeline.commit(prepared)
                else:
                    result = self.pipeline.process(payloads)
                break
            except (OperationalError, InterfaceError):
                # The database is away (restart, failover): keep the batch, unacknowledged.
                logger.exception("database error; retrying the batch")
                connection.close()
                if self.stopping.wait(1.0):
                    return
                close_old_connections()
            except Exception:
                if len(batch) == 1:
                    # A message the pipeline cannot take (a bug, not bad input, which is
                    # rejected with a reason): logged and acknowledged, never a stop.
                    logger.exception("message on %s dropped", batch[0][1].topic)
                    result = None
                    break
                logger.exception("batch failed; one message at a time")
                for item in batch:
                    self._handle([item])
                return
        self.totals["messages"] += len(batch)
        if result is not None:
            self._count(result)
        generation = self.generation
        for gen, message in batch:
            if gen == generation and message.qos > 0:
                self.client.ack(message.mid, message.qos)

    def _count(self, result) -> None:
        self.totals["stored"] += result.stored
        self.totals["duplicates"] += result.duplicates
        self.totals["rejected"] += result.rejected
        self.totals["alarms"] += result.alarms_raised


def run_from_command(options: dict) -> dict:
    import os

    from .pipeline import Pipeline
    from .state import store_from_url

    state_url = options.get("state_url")
    if state_url is None:
        state_url = os.environ.get("ANJIAN_MONITORING_STATE_URL", "")
    listener = Listener(
        url=options.get("url") or os.environ.get("ANJIAN_MQTT_URL") or "mqtt://127.0.0.1:1883",
        shared=options.get("shared", False),
        client_id=options.get("client_id")
        or default_client_id(options.get("shared", False), options.get("instance", 1)),
        batch_messages=options.get("batch_messages", 200),
        batch_ms=options.get("batch_ms", 50),
        pipeline=Pipeline(store=store_from_url(state_url)),
        stats_every=options.get("stats_every", 0.0),
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: listener.stop())
    return listener.run(max_seconds=options.get("max_seconds"), idle_exit=options.get("idle_exit"))
