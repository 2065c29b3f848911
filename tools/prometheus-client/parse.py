"""Reads Prometheus text exposition on stdin, prints its samples as JSON.

Uses prometheus_client's text parser (the Prometheus project's Python
client), so a test sees /metrics the way a Prometheus-compatible scraper
does. Output: {"families": [{"name", "type", "help", "samples": [{"name",
"labels", "value"}]}]}; a value that is not finite is written as a string
("NaN", "+Inf", "-Inf"). Exits 1 with the parser's message on bad input.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def number(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def main():
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "samples": [
                    {"name": s.name, "labels": dict(s.labels), "value": number(s.value)}
                    for s in family.samples
                ],
            }
            for family in text_string_to_metric_families(text)
        ]
    except Exception as error:  # the parser's ValueError names the bad line
        print(f"not Prometheus text: {error}", file=sys.stderr)
        sys.exit(1)
    json.dump({"families": families}, sys.stdout)


if __name__ == "__main__":
    main()
