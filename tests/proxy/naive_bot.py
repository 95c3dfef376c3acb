#!/usr/bin/env python3
"""A bot with no rate limiting of its own, for the proxy tests: sends N message creations (each
to its own channel, so that only the global limit binds) from T threads over keep-alive
connections, and prints one JSON line: {"statuses": {status: count}, "first": t, "last": t},
times from time.monotonic() (CLOCK_MONOTONIC, comparable across processes on Linux).

usage: naive_bot.py HOST PORT TOKEN REQUESTS THREADS FIRST_CHANNEL
"""
import http.client
import json
import sys
import threading
import time

host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
requests, threads, first_channel = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
lock = threading.Lock()
statuses = {}
times = []


def worker(indices):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    for i in indices:
        body = json.dumps({"content": f"message {i}"})
        started = time.monotonic()
        try:
            conn.request("POST", f"/api/v10/channels/{first_channel + i}/messages", body,
                         {"Authorization": f"Bot {token}", "Content-Type": "application/json",
                          "User-Agent": "DiscordBot (https://example.org, 1.0) naive"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
        with lock:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            times.append((started, time.monotonic()))
    conn.close()


pool = [threading.Thread(target=worker, args=(range(t, requests, threads),))
        for t in range(threads)]
for thread in pool:
    thread.start()
for thread in pool:
    thread.join()
print(json.dumps({"statuses": statuses, "first": min(t[0] for t in times),
                  "last": max(t[1] for t in times)}), flush=True)
