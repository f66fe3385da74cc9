#!/usr/bin/env python3
"""Writes the assignment conformance vectors that the Swift tests check.

This is an independent implementation of splitlane's assignment algorithm
(docs/assignment.md) in plain Python with hashlib, written from the
specification rather than from the Swift code. It writes
Tests/SplitlaneAssignmentTests/Fixtures/assignment-vectors.json:

- "buckets": (text, bucket) pairs, including non-ASCII text;
- "experiments": definitions in a small JSON form;
- "cases": (experiment, unit, attributes, at) -> (arm, reason).

Run from the repository root: python3 scripts/reference/generate_assignment_vectors.py
"""

import hashlib
import json
import random
import re
from datetime import datetime, timezone
from pathlib import Path

OUTPUT = Path("Tests/SplitlaneAssignmentTests/Fixtures/assignment-vectors.json")
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def bucket(text: str) -> int:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 10000


def as_number(value):
    """The numeric reading of an attribute or operand, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and NUMBER.fullmatch(value):
        return float(value)
    return None


def as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return value


def operand_matches(operand: str, value) -> bool:
    """Equality: numeric when the attribute is a number and the operand reads as one."""
    number = as_number(operand)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and number is not None:
        return float(value) == number
    return as_text(value) == operand


def condition_holds(condition, attributes) -> bool:
    name, op, operand = condition["attribute"], condition["op"], condition["value"]
    if name not in attributes:
        return op == "exists" and operand is False
    value = attributes[name]
    if op == "exists":
        return operand is True
    if op == "eq":
        return operand_matches(operand, value)
    if op == "ne":
        return not operand_matches(operand, value)
    if op == "in":
        return any(operand_matches(o, value) for o in operand)
    if op == "not_in":
        return not any(operand_matches(o, value) for o in operand)
    number = as_number(value)
    if number is None:
        return False
    return {
        "lt": number < operand,
        "lte": number <= operand,
        "gt": number > operand,
        "gte": number >= operand,
    }[op]


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def assign(experiment, unit, attributes, at):
    if unit in experiment["overrides"]:
        return experiment["overrides"][unit], "override"
    now = parse_time(at)
    start, end = parse_time(experiment.get("start")), parse_time(experiment.get("end"))
    if experiment["status"] != "running" or (start and now < start) or (end and now >= end):
        return None, "inactive"
    if not all(condition_holds(c, attributes) for c in experiment["eligibility"]):
        return None, "not_eligible"
    layer = experiment.get("layer")
    if layer:
        low, high = layer["buckets"]
        if not low <= bucket("layer:" + layer["name"] + ":" + unit) < high:
            return None, "not_in_layer"
    # Halves round away from zero (Python's round() would round them to even).
    threshold = int(experiment["coverage"] * 10000 + 0.5)
    if bucket(experiment["salt"] + ":coverage:" + unit) >= threshold:
        return None, "not_in_coverage"
    weights = [arm["weight"] for arm in experiment["arms"]]
    total, running, b = sum(weights), 0, bucket(experiment["salt"] + ":" + unit)
    for arm, weight in zip(experiment["arms"], weights):
        running += weight
        if b < 10000 * running // total:
            return arm["key"], "assigned"
    raise AssertionError("bucket beyond the last arm")


EXPERIMENTS = [
    {
        "key": "survey-channel",
        "salt": "survey-channel",
        "status": "running",
        "coverage": 1.0,
        "arms": [
            {"key": "email", "weight": 1, "control": True},
            {"key": "sms", "weight": 1},
            {"key": "portal", "weight": 1},
        ],
        "eligibility": [],
        "overrides": {},
    },
    {
        "key": "detractor-recovery",
        "salt": "detractor-recovery-2026q4",
        "status": "running",
        "start": "2026-10-01T00:00:00Z",
        "end": "2027-01-01T00:00:00Z",
        "coverage": 0.5,
        "layer": {"name": "recovery", "buckets": [0, 5000]},
        "arms": [
            {"key": "apology_call", "weight": 1, "control": True},
            {"key": "credit", "weight": 1},
            {"key": "redelivery", "weight": 1},
            {"key": "am_checkin", "weight": 1},
        ],
        "eligibility": [
            {"attribute": "nps_score", "op": "lte", "value": 6},
            {"attribute": "vertical", "op": "in",
             "value": ["ecommerce", "pharmacy", "grocery", "b2b_office"]},
            {"attribute": "postcode", "op": "ne", "value": "0800"},
            {"attribute": "opted_out", "op": "exists", "value": False},
        ],
        "overrides": {"acct-qa-1": "credit", "acct-qa-2": "am_checkin"},
    },
    {
        "key": "uneven",
        "salt": "uneven-salt-v2",
        "status": "running",
        "coverage": 0.33335,
        "arms": [
            {"key": "a", "weight": 2, "control": True},
            {"key": "b", "weight": 1},
            {"key": "c", "weight": 7},
        ],
        "eligibility": [
            {"attribute": "lane", "op": "not_in", "value": ["rural"]},
            {"attribute": "flag", "op": "eq", "value": "no"},
        ],
        "overrides": {},
    },
    {
        "key": "draft",
        "salt": "draft",
        "status": "draft",
        "coverage": 1.0,
        "arms": [{"key": "on", "weight": 1, "control": True}, {"key": "off", "weight": 1}],
        "eligibility": [],
        "overrides": {"qa-unit": "off"},
    },
]


def units(rng, count):
    fixed = ["acct-qa-1", "acct-qa-2", "qa-unit", "", "ünïcödé-Kunde", "配送-42",
             "recipient-🚚-7", "a" * 300, "O'Brien; DROP TABLE x;--"]
    made = [f"acct-{rng.randrange(10**7):07d}" for _ in range(count)]
    return fixed + made


def attributes_for(rng):
    attributes = {}
    if rng.random() < 0.95:
        attributes["nps_score"] = rng.choice([0, 2, 3, 4, 6, "5", 6.5, 7, 9, "six"])
    if rng.random() < 0.97:
        attributes["vertical"] = rng.choice(["ecommerce", "pharmacy", "grocery",
                                             "b2b_office", "ecommerce", "furniture"])
    if rng.random() < 0.97:
        # `ne` on a missing attribute is false, so most units carry a postcode.
        attributes["postcode"] = rng.choice(["0800", "800", 800, "1010", "2000", "3011"])
    if rng.random() < 0.05:
        attributes["opted_out"] = True
    attributes["lane"] = rng.choice(["urban", "suburban", "rural"])
    attributes["flag"] = rng.choice(["no", "yes", False, "no"])
    return attributes


def main():
    rng = random.Random(20261203)
    texts = ["", "abc", "ü", "配送", "🚚", "salt:unit-1", "layer:recovery:acct-1"]
    texts += [f"unit-{i}" for i in range(200)]
    buckets = [{"text": t, "bucket": bucket(t)} for t in texts]

    times = ["2026-09-30T23:59:59Z", "2026-10-01T00:00:00Z", "2026-12-03T12:00:00Z",
             "2026-12-31T23:59:59Z", "2026-11-15T08:30:00Z", "2027-01-01T00:00:00Z"]
    cases = []
    for experiment in EXPERIMENTS:
        for unit in units(rng, 600):
            attributes = attributes_for(rng)
            at = rng.choice(times) if experiment.get("start") else "2026-12-03T12:00:00Z"
            arm, reason = assign(experiment, unit, attributes, at)
            cases.append({"experiment": experiment["key"], "unit": unit,
                          "attributes": attributes, "at": at,
                          "arm": arm, "reason": reason})

    document = {"generator": "scripts/reference/generate_assignment_vectors.py",
                "buckets": buckets, "experiments": EXPERIMENTS, "cases": cases}
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    reasons = {}
    for case in cases:
        reasons[case["reason"]] = reasons.get(case["reason"], 0) + 1
    print(f"wrote {OUTPUT}: {len(buckets)} buckets, {len(cases)} cases, {reasons}")


if __name__ == "__main__":
    main()
