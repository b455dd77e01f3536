"""Monitoring ingestion benchmark (`make bench` runs it; issue 11, item 9).

In one run, on one database (SQLite under var/bench/monitoring.sqlite3 by default;
PostgreSQL when BENCH_DATABASE_URL is set — its database name with "_monitoring"):

  * raw: the same rows bulk-inserted straight into monitoring_rawreading (COPY on
    PostgreSQL, executemany on SQLite), nothing else — the reference rate;
  * mqtt: a publisher process → a private Mosquitto → `anjian monitor listen` → the
    database, with every reading validated, stored (aggregates, latest values) and
    evaluated against its set-points, and alarms raised; once with one listener and
    once with two on the shared subscription (alarm state in Redis);
  * http: POST /api/v1/monitoring/readings to gunicorn (2 workers), 4 client threads;
  * alarm latency: some readings cross a set-point; their timestamp is the moment they
    are published, and a poller notes when each alarm row appears (median, p99);
  * memory: the peak resident size (VmHWM) of each listener and server process.

    python bench/monitoring.py [--readings 400000] [--points-per-gateway 50]

Results: bench/results/monitoring_<database>.json, and a summary printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ANJIAN = str(ROOT / ".venv" / "bin" / "anjian")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
MOSQUITTO = "/usr/sbin/mosquitto"
THRESHOLD = 90.0
# `anjian monitor listen`'s own defaults (--batch-messages 200 --batch-ms 50).
LISTENER_DEFAULT_BATCH = (200, 50)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django() -> dict:
    env = dict(os.environ)
    env["ANJIAN_TESTING"] = "1"  # development key; no HTTPS redirects for the local server
    env["ANJIAN_STATIC_MANIFEST"] = "0"
    bench_var = ROOT / "var" / "bench"
    bench_var.mkdir(parents=True, exist_ok=True)
    env["ANJIAN_AUDIT_CHECKPOINT_FILE"] = str(bench_var / "monitoring-checkpoints.jsonl")
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        import dj_database_url
        import psycopg
        from psycopg import sql

        config = dj_database_url.parse(url)
        name = config["NAME"] + "_monitoring"
        with psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        env.pop("DATABASE_URL", None)
        path = bench_var / "monitoring.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["ANJIAN_SQLITE_PATH"] = str(path)
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def build_points(gateways: int, per_gateway: int) -> tuple[list[str], dict[str, list[str]]]:
    from decimal import Decimal

    from anjian.monitoring.models import Gateway, Point, SetPoint
    from tests.world import build_world

    world = build_world()
    codes: dict[str, list[str]] = {}
    setpoints = []
    for g in range(gateways):
        gateway = Gateway(enterprise=world.chem_a, code=f"BGW{g:03d}", name=f"bench {g}")
        gateway.set_token(f"gw_bench_{g:03d}")
        gateway.save()
        points = Point.objects.bulk_create(
            [
                Point(
                    gateway=gateway,
                    enterprise=world.chem_a,
                    code=f"P{p:03d}",
                    name=f"point {p}",
                    kind="combustible_gas",
                    unit="%LEL",
                    range_low=Decimal(0),
                    range_high=Decimal(100),
                )
                for p in range(per_gateway)
            ]
        )
        codes[gateway.code] = [p.code for p in points]
        setpoints += [
            SetPoint(
                point=p,
                name="high",
                direction="above",
                value=Decimal(str(THRESHOLD)),
                level="orange",
                hysteresis=Decimal("5"),
            )
            for p in points
        ]
    SetPoint.objects.bulk_create(setpoints)
    return list(codes), codes


# ---------------------------------------------------------------- payloads


def make_messages(codes: dict[str, list[str]], readings: int, seed: int, spike_every: int):
    """(gateway, template) pairs: one message = one gateway's snapshot of its points.
    Values stay below the set-point, except one point in every `spike_every`-th message
    (the next message of that gateway brings it back down, clearing the alarm)."""
    rng = random.Random(seed)
    gateways = list(codes)
    per = len(next(iter(codes.values())))
    count = readings // per
    messages = []
    for i in range(count):
        gw = gateways[i % len(gateways)]
        values = [round(rng.uniform(5, 60), 2) for _ in range(per)]
        spike = None
        if i % spike_every == spike_every - 1:
            spike = rng.randrange(per)
            values[spike] = 95.0
        messages.append((gw, values, spike))
    return messages


def render(gateway: str, points: list[str], values: list[float], ts: str) -> bytes:
    return json.dumps(
        {
            "gateway": gateway,
            "readings": [
                {"point": p, "ts": ts, "value": v} for p, v in zip(points, values, strict=True)
            ],
        }
    ).encode()


def now_iso(offset_us: int = 0) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(microseconds=offset_us)).isoformat()


def publish_process(port: int, codes, messages, started, done, rate: float = 0.0) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}"
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    started.set()
    last = None
    begun = time.monotonic()
    for n, (gw, values, _spike) in enumerate(messages):
        if rate:  # messages per second: a steady stream, not a flood
            ahead = begun + n / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        last = client.publish(
            f"anjian/v1/{gw}/readings", render(gw, codes[gw], values, now_iso()), qos=1
        )
        if len(client._out_messages) > 5000:  # keep the publisher's queue bounded
            while len(client._out_messages) > 1000:
                time.sleep(0.002)
    if last is not None:
        last.wait_for_publish(120)
    done.set()
    client.loop_stop()


# ---------------------------------------------------------------- helpers


def count_readings() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_rawreading")
        return cursor.fetchone()[0]


def clear_readings() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "monitoring_rawreading",
            "monitoring_readingaggregate",
            "monitoring_latestvalue",
            "monitoring_enginestate",
            "monitoring_alarmevent",
            "monitoring_alarm",
            "monitoring_rejection",
            "monitoring_rejectioncount",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class AlarmPoller(threading.Thread):
    """Notes when each alarm row appears: latency = seen - raised_at (the publish time)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.last_id = 0

    def run(self) -> None:
        from django.db import connection

        from anjian.monitoring.models import Alarm

        while not self.stop.is_set():
            rows = list(
                Alarm.objects.filter(pk__gt=self.last_id)
                .order_by("pk")
                .values_list("pk", "raised_at")
            )
            seen = dt.datetime.now(dt.UTC)
            for pk, raised in rows:
                self.last_id = pk
                self.latencies.append((seen - raised).total_seconds())
            time.sleep(0.01)
        connection.close()


def latency(values: list[float]) -> dict:
    if not values:
        return {"alarms": 0}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "alarms": len(values),
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def count_aggregated() -> int:
    """The readings stored, read from the hour aggregates (written in the same
    transaction as the readings, a row per point and hour): polling count(*) over the
    growing readings table would itself take a good part of a core from the run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(count), 0) FROM monitoring_readingaggregate WHERE period = 'h'"
        )
        return int(cursor.fetchone()[0])


def wait_count(target: int, timeout: float) -> float:
    """Wait until `target` readings are stored (the aggregates' count, then checked
    once against the readings table); the time they were."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count_aggregated() >= target:
            finished = time.monotonic()
            stored = count_readings()
            if stored < target:
                raise RuntimeError(f"aggregates count {target}, readings table {stored}")
            return finished
        time.sleep(0.05)
    raise RuntimeError(f"only {count_readings()} of {target} readings stored in {timeout} s")


# ---------------------------------------------------------------- the measures


def bench_raw(codes, messages) -> dict:
    """The same rows straight into the readings table, in batches like the listener's."""
    from django.db import connection, transaction

    base = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    rows = []
    for i, (gw, values, _spike) in enumerate(messages):
        ts = base + dt.timedelta(microseconds=i * 10)
        rows += [(f"{gw}/{p}", ts, v) for p, v in zip(codes[gw], values, strict=True)]
    from anjian.monitoring.models import Point

    ids = {f"{g}/{c}": pk for pk, g, c in Point.objects.values_list("pk", "gateway__code", "code")}
    rows = [(ids[k], ts, v) for k, ts, v in rows]
    received = dt.datetime.now(dt.UTC)
    batch = 10_000
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                received_text = received.isoformat()
                text = "".join(
                    f"{p}\t{t.isoformat()}\t{v!r}\t{received_text}\n" for p, t, v in chunk
                )
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(
                        "COPY monitoring_rawreading (point_id, ts, value, received_at) FROM STDIN"
                    ) as copy,
                ):
                    copy.write(text)
            else:
                connection.ensure_connection()
                received_text = str(received.replace(tzinfo=None))
                connection.connection.executemany(
                    "INSERT INTO monitoring_rawreading (point_id, ts, value, received_at) "
                    "VALUES (?, ?, ?, ?)",
                    [(p, str(t.replace(tzinfo=None)), v, received_text) for p, t, v in chunk],
                )
    seconds = time.perf_counter() - started
    return {
        "readings": len(rows),
        "seconds": round(seconds, 2),
        "per_second": round(len(rows) / seconds),
    }


def bench_mqtt(
    env, codes, messages, listeners: int, rate: float = 0.0, batch: tuple[int, int] = (400, 100)
) -> dict:
    """`batch`: the listener's --batch-messages and --batch-ms (the flood runs take
    bigger batches; the steady run the command's defaults, as a deployment would)."""
    tmp = Path(tempfile.mkdtemp(prefix="anjian-bench-mqtt-"))
    port = free_port()
    (tmp / "mosquitto.conf").write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n"
        "max_inflight_messages 1000\nmax_queued_messages 0\n"
    )
    broker = subprocess.Popen(
        [MOSQUITTO, "-c", str(tmp / "mosquitto.conf")], stderr=subprocess.DEVNULL
    )
    time.sleep(0.5)
    prefix = f"anjian:bench:{uuid.uuid4().hex}:"
    lenv = dict(env, ANJIAN_MONITORING_STATE_PREFIX=prefix)
    procs = []
    for n in range(listeners):
        argv = [
            ANJIAN,
            "monitor",
            "listen",
            "--url",
            f"mqtt://127.0.0.1:{port}",
            "--client-id",
            f"bench-listener-{n}",
            "--batch-messages",
            str(batch[0]),
            "--batch-ms",
            str(batch[1]),
        ]
        if listeners > 1:
            argv += ["--shared", "--state-url", "redis://127.0.0.1:6379/0"]
        else:
            argv += ["--state-url", ""]
        procs.append(
            subprocess.Popen(
                argv,
                env=lenv,
                stdout=subprocess.PIPE,
                stderr=(tmp / f"l{n}.log").open("w"),
                text=True,
            )
        )
    try:
        # Warm up: the listeners connect, load their caches and subscribe.
        warm = messages[: max(1, len(codes))]
        pub_codes = codes
        target = count_readings() + sum(len(v) for _, v, _ in warm)
        ctx = mp.get_context("fork")
        # Until every listener has subscribed, messages go nowhere: publish the warm-up
        # messages again (their readings are the same, stored once) until they are stored.
        for _attempt in range(40):
            s, d = ctx.Event(), ctx.Event()
            p = ctx.Process(target=publish_process, args=(port, pub_codes, warm, s, d))
            p.start()
            p.join()
            try:
                wait_count(target, 3)
                break
            except RuntimeError:
                continue
        else:
            raise RuntimeError("the listeners never subscribed")
        time.sleep(1)  # the second member of a shared subscription
        # The measured stream.
        stream = messages[len(warm) :]
        total = sum(len(v) for _, v, _ in stream)
        target = count_readings() + total
        poller = AlarmPoller()
        poller.start()
        s, d = ctx.Event(), ctx.Event()
        p = ctx.Process(target=publish_process, args=(port, pub_codes, stream, s, d, rate))
        p.start()
        s.wait(30)
        started = time.monotonic()
        finished = wait_count(target, 900)
        seconds = finished - started
        time.sleep(0.5)
        poller.stop.set()
        poller.join()
        p.join()
    except BaseException:
        for proc in procs:  # nothing left running when the run fails
            proc.kill()
        broker.kill()
        raise
    rss = [vm_hwm_mb(proc.pid) for proc in procs]
    outs = []
    for proc in procs:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
        outs.append(json.loads(out.strip().splitlines()[-1]) if out.strip() else {})
    broker.terminate()
    broker.wait()
    if listeners > 1:
        from anjian.monitoring.state import RedisStateStore

        RedisStateStore(prefix=prefix).clear()
    return {
        "listeners": listeners,
        "paced_readings_per_second": round(rate * len(stream[0][1])) if rate else None,
        "listener_batch": {"messages": batch[0], "ms": batch[1]},
        "readings": total,
        "messages": len(stream),
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds),
        "alarm_latency": latency(poller.latencies),
        "listener_peak_rss_mb": rss,
        "listener_totals": outs,
    }


def http_client(port: int, bodies: list[tuple[str, bytes]], errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for token, body in bodies:
        conn.request(
            "POST",
            "/api/v1/monitoring/readings",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            errors.append(response.status)


def bench_http(env, codes, messages, threads: int = 4, batch: int = 10) -> dict:
    """Each request carries `batch` snapshots of one gateway (batch × points readings)."""
    port = free_port()
    server = subprocess.Popen(
        [
            GUNICORN,
            "anjian.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    gateways = list(codes)
    tokens = {g: f"gw_bench_{int(g[3:]):03d}" for g in gateways}
    by_gateway: dict[str, list] = {g: [] for g in gateways}
    for gw, values, spike in messages:
        by_gateway[gw].append((values, spike))
    requests_: list[tuple[str, bytes]] = []
    base = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    n = 0
    for gw, snaps in by_gateway.items():
        for start in range(0, len(snaps), batch):
            readings = []
            for values, _spike in snaps[start : start + batch]:
                n += 1
                ts = (base + dt.timedelta(microseconds=n)).isoformat()
                readings += [
                    {"point": p, "ts": ts, "value": v}
                    for p, v in zip(codes[gw], values, strict=True)
                ]
            requests_.append(
                (tokens[gw], json.dumps({"gateway": gw, "readings": readings}).encode())
            )
    random.Random(3).shuffle(requests_)
    total = sum(len(codes[g]) * len(s) for g, s in by_gateway.items())
    # Warm both workers.
    errors: list = []
    http_client(port, requests_[:4], errors)
    warm = sum(json.loads(b)["readings"].__len__() for _, b in requests_[:4])
    rest = requests_[4:]
    target = count_readings() + total - warm
    parts = [rest[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=http_client, args=(port, part, errors)) for part in parts]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.monotonic() - started
    stored = count_readings()
    rss = [
        vm_hwm_mb(int(pid))
        for pid in subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
    ]
    server.terminate()
    server.wait()
    return {
        "readings": total - warm,
        "requests": len(rest),
        "readings_per_request": batch * len(next(iter(codes.values()))),
        "threads": threads,
        "seconds": round(seconds, 2),
        "per_second": round((total - warm) / seconds),
        "stored_ok": stored >= target,
        "errors": len(errors),
        "worker_peak_rss_mb": rss,
    }


def note(text: str) -> None:
    sys.stderr.write(f"{time.strftime('%H:%M:%S')} {text}\n")
    sys.stderr.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=400_000)
    parser.add_argument("--gateways", type=int, default=20)
    parser.add_argument("--points-per-gateway", type=int, default=50)
    parser.add_argument("--spike-every", type=int, default=40, help="one alarm per N messages")
    args = parser.parse_args()

    env = setup_django()
    from django.core.management import call_command
    from django.db import connection

    note("migrate")
    call_command("migrate", verbosity=0)
    note("points")
    _gateways, codes = build_points(args.gateways, args.points_per_gateway)
    messages = make_messages(codes, args.readings, 1, args.spike_every)
    vendor = connection.vendor
    out = {
        "database": vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        # Other jobs may share the machine: the 1-minute load average before and after.
        "load_average_1min": {"before": round(os.getloadavg()[0], 2)},
        "points": args.gateways * args.points_per_gateway,
        "readings_per_message": args.points_per_gateway,
    }
    note("raw")
    out["raw"] = bench_raw(codes, messages)
    note(json.dumps(out["raw"]))
    clear_readings()
    connection.close()
    note("mqtt, one listener")
    out["mqtt_1"] = bench_mqtt(env, codes, messages, 1)
    note(json.dumps(out["mqtt_1"]))
    clear_readings()
    note("mqtt, two listeners")
    out["mqtt_2"] = bench_mqtt(env, codes, messages, 2)
    note(json.dumps(out["mqtt_2"]))
    clear_readings()
    # Alarm latency at a steady load (half the one-listener rate, 10 s), as in service
    # (the listener with its default batching):
    # the flood above measures throughput, and its latency is mostly the queue.
    steady = out["mqtt_1"]["per_second"] / 2
    per = args.points_per_gateway
    count = int(steady * 10 / per) + args.gateways
    note("mqtt, steady load")
    out["mqtt_steady"] = bench_mqtt(
        env, codes, messages[:count], 1, rate=steady / per, batch=LISTENER_DEFAULT_BATCH
    )
    note(json.dumps(out["mqtt_steady"]))
    clear_readings()
    note("http")
    out["http"] = bench_http(env, codes, messages)
    raw = out["raw"]["per_second"]
    out["ratio_mqtt_1_to_raw"] = round(out["mqtt_1"]["per_second"] / raw, 3)
    out["ratio_mqtt_2_to_raw"] = round(out["mqtt_2"]["per_second"] / raw, 3)
    out["ratio_http_to_raw"] = round(out["http"]["per_second"] / raw, 3)
    out["speedup_2_listeners"] = round(out["mqtt_2"]["per_second"] / out["mqtt_1"]["per_second"], 2)
    out["load_average_1min"]["after"] = round(os.getloadavg()[0], 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"monitoring_{vendor}.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
