#!/usr/bin/env python3
"""A bot in Python that sends its Discord requests through `cadence proxy`.

The bot keeps no rate-limit state of its own: it points its API base at the proxy, which holds
the token's buckets and the global limit for every process that uses it, and waits out the
limits before it sends. Standard library only.

Start a proxy in front of the Discord simulator (or drop --upstream for discord.com):

    cadence sim discord --port 0                 # prints the port, e.g. 40111; token sim-token
    cadence proxy --listen 127.0.0.1:8080 --upstream http://127.0.0.1:40111/api

then:

    CADENCE_PROXY=http://127.0.0.1:8080/api DISCORD_TOKEN=sim-token \\
        python3 examples/proxy_python/send_messages.py [CHANNEL_ID] [COUNT]

Prints who the token belongs to and one line per message created; exit 1 with one line on
stderr when a request fails, 2 for bad arguments.
"""

import json
import os
import sys
import urllib.error
import urllib.request

TIMEOUT_S = 30  # the proxy may hold a request while a rate limit runs out


def call(base, token, method, route, body=None):
    """One request through the proxy: the JSON answer, or urllib.error.HTTPError."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + "/v10" + route, data=data, method=method)
    # The proxy takes no token of its own: each request brings its bot's.
    request.add_header("Authorization", "Bot " + token)
    request.add_header("User-Agent", "DiscordBot (https://example.invalid, 1.0) proxy_python")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
        text = answer.read()
        return json.loads(text) if text else None


def main(argv):
    if len(argv) > 3 or (len(argv) > 1 and not argv[1].isdigit()) or (
        len(argv) > 2 and not argv[2].isdigit()
    ):
        print("usage: send_messages.py [CHANNEL_ID] [COUNT]", file=sys.stderr)
        return 2
    base = os.environ.get("CADENCE_PROXY", "http://127.0.0.1:8080/api").rstrip("/")
    token = os.environ.get("DISCORD_TOKEN", "")
    if not token:
        print("set DISCORD_TOKEN (the proxy passes it on to Discord)", file=sys.stderr)
        return 2
    channel = argv[1] if len(argv) > 1 else "900000000000000001"
    count = int(argv[2]) if len(argv) > 2 else 5

    try:
        me = call(base, token, "GET", "/users/@me")
        print("bot user %s (%s)" % (me["username"], me["id"]))
        # Five messages on one channel exceed the channel's bucket on Discord: the proxy spaces
        # them so that none is answered 429, and the bot needs no retry loop of its own.
        for n in range(count):
            message = call(base, token, "POST", "/channels/%s/messages" % channel,
                           {"content": "message %d from Python" % (n + 1)})
            print("created message %s (%d/%d)" % (message["id"], n + 1, count))
    except urllib.error.HTTPError as e:
        print("request failed: HTTP %d %s" % (e.code, e.read().decode(errors="replace")[:200]),
              file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as e:
        print("cannot reach the proxy at %s: %s" % (base, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
