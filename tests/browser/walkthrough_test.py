# SPDX-License-Identifier: MIT
"""The backward-pass walkthrough (ag::render_html) in a real browser.

Runs the lecture demo to write lecture221.html and its trace as text, opens
the page in headless Chromium through Selenium, steps through the backward
pass with the page's own buttons and checks what it shows against the trace:
the step counter, the highlighted node, the numbers of
dL/d(node) x d(node)/d(input) = contribution, the ledger, the hover tooltip,
and that the console stayed free of errors. Saves screenshots.
ChromeDriver listens on the loopback interface only; everything is bounded
in time and the browser is closed on every path.

Usage: walkthrough_test.py LECTURE_EXE WORK_DIR
Exit status 77 (skipped) when Chromium, ChromeDriver or Selenium is missing.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

# meson passes the programs it found (a -Dtests=enabled build requires them).
CHROMIUM = os.environ.get("AG_CHROMIUM") or "/usr/bin/chromium"
DRIVER = os.environ.get("AG_CHROMEDRIVER") or "/usr/bin/chromedriver"


def skip(why):
    print(f"skipped: {why} (Debian: apt-get install chromium chromium-driver python3-selenium)")
    sys.exit(77)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
except ImportError:
    skip("Selenium is not installed")
if not (pathlib.Path(CHROMIUM).exists() and pathlib.Path(DRIVER).exists()):
    skip("Chromium or ChromeDriver is not installed")

lecture, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out = work / "walkthrough"
shutil.rmtree(out, ignore_errors=True)
subprocess.run([str(lecture), "--out", str(out)], check=True, stdout=subprocess.DEVNULL,
               timeout=60)
html, trace = out / "lecture221.html", out / "lecture221.trace.txt"

# The trace as the engine printed it: step, node, op, input, upstream, local, contribution.
steps = []
for line in trace.read_text().splitlines()[1:]:
    cells = line.split()
    steps.append({"node": cells[1], "op": cells[2], "input": cells[3],
                  "numbers": [float(x) for x in cells[4:7]]})
assert len(steps) > 20, f"too few steps in the trace: {len(steps)}"

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAILED:", what)


options = Options()
options.binary_location = CHROMIUM
profile = tempfile.mkdtemp(prefix="autograd-chromium-")
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1000"):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service(DRIVER), options=options)
try:
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(10)
    driver.get(html.as_uri())
    text = lambda css: driver.find_element(By.CSS_SELECTOR, css).text
    highlighted = lambda: driver.execute_script(
        "const g = document.querySelector('g.node.current');"
        "return g ? g.textContent : null;")
    check(text("#counter") == f"step 0 of {len(steps)}", f"counter at load: {text('#counter')!r}")
    check(highlighted() is None, "a node is highlighted before the first step")
    driver.save_screenshot(str(out / "walkthrough_start.png"))
    nxt = driver.find_element(By.ID, "next")
    for k, step in enumerate(steps, start=1):
        nxt.click()
        check(text("#counter") == f"step {k} of {len(steps)}", f"counter at step {k}")
        shown = text("#explanation")
        numbers = [float(x) for x in re.findall(r"-?\d+\.\d{4}", shown)]
        want = [round(x, 4) for x in step["numbers"]]
        check(numbers == want, f"step {k}: page shows {numbers}, the trace {want}: {shown!r}")
        check(f"d({step['node']})/d({step['input']})" in shown,
              f"step {k} does not name d({step['node']})/d({step['input']}): {shown!r}")
        if "#" not in step["node"]:  # labelled nodes show their label in the diagram
            check(step["node"] in (highlighted() or ""),
                  f"step {k}: the highlighted node is not {step['node']!r}")
        if k == 5:
            driver.save_screenshot(str(out / "walkthrough_step5.png"))
    driver.save_screenshot(str(out / "walkthrough_end.png"))
    # The ledger adds each input's contributions: dL/dw11 as the trace's sum.
    ledger = {row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[1].text
              for row in driver.find_elements(By.CSS_SELECTOR, "#ledger tbody tr")}
    w11 = sum(s["numbers"][2] for s in steps if s["input"] == "w11")
    check(abs(float(ledger.get("w11", "nan")) - w11) < 1e-4, f"ledger dL/dw11 {ledger.get('w11')} vs {w11}")
    driver.find_element(By.ID, "back").click()
    check(text("#counter") == f"step {len(steps) - 1} of {len(steps)}", "back did not step back")
    # Hovering a value shows its value and gradient.
    group = driver.execute_script(
        "return Array.from(document.querySelectorAll('g.node')).find("
        "g => g.textContent.includes('w11'));")
    ActionChains(driver).move_to_element(group).perform()
    tip = driver.find_element(By.ID, "tooltip")
    check(tip.is_displayed() and "grad" in tip.text and "w11" in tip.text,
          f"the tooltip over w11 shows {tip.text!r}")
    driver.save_screenshot(str(out / "walkthrough_hover.png"))
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    check(not errors, f"console errors: {errors}")
finally:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)

print(f"walkthrough: {len(steps)} steps checked in Chromium, screenshots in {out}")
sys.exit(1 if failures else 0)
