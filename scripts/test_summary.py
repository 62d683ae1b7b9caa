# SPDX-License-Identifier: MIT
"""Prints 'tests: N passed, N failed' from one or more meson testlog.json
files: doctest test cases counted one by one, any other meson test as one.
A skipped test is neither: it is named on a line of its own above, so that a
build that covers less than it should is visible."""
import json
import re
import sys

passed = failed = 0
skipped = []
for path in sys.argv[1:]:
    with open(path) as log:
        for line in log:
            test = json.loads(line)
            if test["result"] == "SKIP":
                why = (test.get("stdout") or "").strip().splitlines()
                skipped.append(f"{test['name']} ({why[-1] if why else 'exit 77'})")
                continue
            ok = test["result"] in ("OK", "EXPECTEDFAIL")
            cases = re.search(r"test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed",
                              test.get("stdout") or "")
            if cases:
                passed += int(cases.group(2))
                failed += int(cases.group(3))
                if not ok and int(cases.group(3)) == 0:
                    failed += 1  # crashed or leaked after its cases passed
            elif ok:
                passed += 1
            else:
                failed += 1
for name in skipped:
    print(f"skipped: {name}")
print(f"tests: {passed} passed, {failed} failed")
