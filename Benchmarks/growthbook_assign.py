#!/usr/bin/env python3
"""GrowthBook's Python SDK assigning the same generated ids to a three-arm experiment,
for comparison with splitlane's in-process assignment. Prints ids per second.

Usage: growthbook_assign.py COUNT   (needs `pip install growthbook`)
"""

import sys
import time

from growthbook import Experiment, GrowthBook


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    growthbook = GrowthBook(attributes={"id": ""})
    experiment = Experiment(key="survey-channel", variations=["email", "sms", "portal"])
    start = time.monotonic()
    for index in range(count):
        growthbook.set_attributes({"id": f"unit-{index:08d}"})
        growthbook.run(experiment)
    print(f"{count / (time.monotonic() - start):.0f}")


if __name__ == "__main__":
    main()
