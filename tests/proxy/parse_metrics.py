#!/usr/bin/env python3
"""Parses a Prometheus text exposition with prometheus_client's parser (Debian's
python3-prometheus-client) and prints one JSON line: {family: {"type": t, "samples":
[[name, labels, value], ...]}}. A parse error ends with a traceback and exit status 1.

usage: parse_metrics.py FILE
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
out = {}
for family in text_string_to_metric_families(text):
    out[family.name] = {"type": family.type,
                        "samples": [[s.name, s.labels, s.value] for s in family.samples]}
print(json.dumps(out))
