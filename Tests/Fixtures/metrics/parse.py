#!/usr/bin/env python3
"""Reads Prometheus text with python3-prometheus-client's own parser, the reader independent
of the Swift writer: `parse.py URL|FILE...` prints every sample as JSON
({"name", "labels", "value", "family", "type"}) and exits 1, naming the source, if any of them
does not parse or holds no sample."""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def read(source):
    if source.startswith("http://127.0.0.1:"):
        with urllib.request.urlopen(source, timeout=10) as response:
            return response.read().decode("utf-8")
    with open(source, encoding="utf-8") as f:
        return f.read()


samples = []
for source in sys.argv[1:]:
    try:
        found = [
            {"name": s.name, "labels": s.labels, "value": s.value, "family": family.name, "type": family.type}
            for family in text_string_to_metric_families(read(source))
            for s in family.samples
        ]
    except Exception as error:  # the parser raises ValueError, and others for odd input
        sys.exit(f"{source}: not Prometheus text: {error}")
    if not found:
        sys.exit(f"{source}: no samples")
    samples += found
json.dump(samples, sys.stdout)
