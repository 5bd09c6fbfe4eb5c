#!/usr/bin/env python3
"""trcli conformance: runs the real trcli, unchanged, against testrail-sim and checks,
through the simulator's control API, that every result landed on the right case with the
right status, and nothing twice. Also runs it against injected faults and records what
trcli ends with.

Usage: conformance.py --sim BIN --trcli BIN --junit DIR [--only NAME]
Driven by .ci/trcli-conformance.sh, which installs trcli and builds the simulator.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

# trcli's default status mapping: passed 1, skipped 4 (Retest), failure/error 5.
PASSED, RETEST, FAILED = 1, 4, 5


class Sim:
    """The simulator binary, started on a free port."""

    def __init__(self, binary):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.env = {}
        while "TESTRAIL_SIM_CONTROL" not in self.env:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("simulator exited before printing its address")
            if "=" in line and line.startswith("TESTRAIL_"):
                k, v = line.strip().split("=", 1)
                self.env[k] = v
        self.url = self.env["TESTRAIL_URL"]
        self.control = self.env["TESTRAIL_SIM_CONTROL"]

    def call(self, method, path, body=None):
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
        req = urllib.request.Request(self.control + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else None

    def api(self, route, body=None):
        """An API call as the default user (for setting up runs and plans)."""
        import base64

        url = f"{self.url}index.php?/api/v2/{route}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
        token = base64.b64encode(f"{self.env['TESTRAIL_USER']}:{self.env['TESTRAIL_API_KEY']}".encode()).decode()
        req.add_header("Authorization", "Basic " + token)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read().decode())

    def reset(self, faults=()):
        self.call("POST", "reset")
        if faults:
            self.call("POST", "faults", list(faults))

    def state(self, only="runs,tests,results,cases,sections,plans"):
        return self.call("GET", "state?only=" + only)

    def log(self):
        return self.call("GET", "log")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Conformance:
    def __init__(self, args):
        self.args = args
        self.sim = Sim(args.sim)
        self.passed = []
        self.failed = []
        # A HOME whose version cache says trcli is current: no PyPI lookup at start.
        self.home = tempfile.mkdtemp(prefix="trcli-home-")
        os.makedirs(os.path.join(self.home, ".trcli"))
        with open(os.path.join(self.home, ".trcli", "version_cache.json"), "w") as f:
            json.dump({"last_check": datetime.now().isoformat(), "latest_version": "1.15.3"}, f)

    def junit(self, name):
        return os.path.abspath(os.path.join(self.args.junit, name))

    def trcli(self, *args, project="Shop", batch=None, timeout_flag=None, timeout=120):
        """Runs trcli; `batch` and `timeout_flag` are the global `-b` and `-t` options
        (they go before the command)."""
        cmd = [
            self.args.trcli, "-y", "-h", self.sim.url, "--project", project,
            "-u", self.sim.env["TESTRAIL_USER"], "-k", self.sim.env["TESTRAIL_API_KEY"],
        ] + (["-b", str(batch)] if batch else []) + (["-t", str(timeout_flag)] if timeout_flag else []) + list(args)
        env = dict(os.environ, HOME=self.home)
        t0 = time.time()
        # Run from the JUnit folder: attachment paths in the reports are relative to it.
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=self.args.junit)
        return p.returncode, p.stdout + p.stderr, time.time() - t0

    # ----- checks -----------------------------------------------------------------

    @staticmethod
    def results_by_case(state, run_id):
        out = {}
        for r in state["results"]:
            if r["run_id"] == run_id:
                out.setdefault(r["case_id"], []).append(r)
        return out

    def expect_results(self, state, run_id, expected):
        """Every expected case has exactly one result with the expected status; no others."""
        got = self.results_by_case(state, run_id)
        problems = []
        for case_id, status in expected.items():
            rs = got.get(case_id, [])
            if len(rs) != 1:
                problems.append(f"C{case_id}: {len(rs)} results")
            elif rs[0]["status_id"] != status:
                problems.append(f"C{case_id}: status {rs[0]['status_id']}, expected {status}")
        extra = sorted(set(got) - set(expected))
        if extra:
            problems.append(f"unexpected results for cases {extra}")
        return problems

    def count(self, log, endpoint, status=None):
        return sum(1 for e in log if e["endpoint"] == endpoint and (status is None or e["status"] == status))

    def scenario(self, name, fn):
        if self.args.only and self.args.only not in name:
            return
        t0 = time.time()
        try:
            problems = fn() or []
        except Exception as e:  # a crash of the check itself is a failure too
            problems = [f"check raised {type(e).__name__}: {e}"]
        took = time.time() - t0
        if problems:
            self.failed.append(name)
            print(f"FAIL {name} ({took:.1f}s)")
            for p in problems:
                print(f"     - {p}")
        else:
            self.passed.append(name)
            print(f"ok   {name} ({took:.1f}s)")

    def run_trcli_ok(self, *args, **kw):
        code, out, _ = self.trcli(*args, **kw)
        if code != 0:
            raise AssertionError(f"trcli exited {code}:\n{out[-2000:]}")
        return out

    # ----- scenarios ---------------------------------------------------------------

    NAMES = {1: PASSED, 2: PASSED, 3: PASSED, 4: PASSED, 5: FAILED, 6: FAILED, 7: RETEST, 8: FAILED}

    def names(self):
        self.sim.reset()
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "names")
        st, log = self.sim.state(), self.sim.log()
        runs = st["runs"]
        problems = []
        if len(runs) != 1:
            return [f"{len(runs)} runs created"]
        run = runs[0]
        if run["include_all"] or run["suite_id"] != 1 or run["name"] != "names":
            problems.append(f"run shape: {run}")
        if sorted(t["case_id"] for t in st["tests"]) != list(range(1, 9)):
            problems.append("run does not hold exactly C1..C8")
        problems += self.expect_results(st, run["id"], self.NAMES)
        if self.count(log, "add_results_for_cases") != 1:
            problems.append("expected one add_results_for_cases request")
        if self.count(log, "add_case"):
            problems.append("cases were created although all IDs exist")
        return problems

    def property(self):
        self.sim.reset()
        self.run_trcli_ok("parse_junit", "-f", self.junit("test_id_property.xml"), "--case-matcher", "property",
                          "--suite-id", "1", "--title", "property")
        st = self.sim.state()
        run = st["runs"][0]
        return self.expect_results(st, run["id"], {31: PASSED, 32: PASSED, 33: FAILED, 34: RETEST})

    def auto_create(self):
        self.sim.reset()
        before = self.sim.state()
        self.run_trcli_ok("parse_junit", "-f", self.junit("auto_match.xml"), "--suite-id", "1", "--title", "auto")
        st = self.sim.state()
        problems = []
        new_cases = [c for c in st["cases"] if c["id"] not in {b["id"] for b in before["cases"]}]
        auto_ids = {c["custom_automation_id"]: c for c in new_cases}
        wanted = {"shop.giftcards.redeem_a_gift_card", "shop.giftcards.gift_card_balance_is_shown",
                  "shop.giftcards.expired_gift_card_is_refused"}
        if set(auto_ids) != wanted:
            problems.append(f"created cases {sorted(auto_ids)}, expected {sorted(wanted)}")
        new_sections = [s for s in st["sections"] if s["id"] not in {b["id"] for b in before["sections"]}]
        if [s["name"] for s in new_sections] != ["gift cards"]:
            problems.append(f"created sections {[s['name'] for s in new_sections]}")
        elif any(c["section_id"] != new_sections[0]["id"] or c["suite_id"] != 1 for c in new_cases):
            problems.append("new cases are not in the new section of suite 1")
        expected = {1: PASSED, 2: FAILED, 11: PASSED}
        if len(auto_ids) == 3:
            expected[auto_ids["shop.giftcards.redeem_a_gift_card"]["id"]] = PASSED
            expected[auto_ids["shop.giftcards.gift_card_balance_is_shown"]["id"]] = RETEST
            expected[auto_ids["shop.giftcards.expired_gift_card_is_refused"]["id"]] = FAILED
        problems += self.expect_results(st, st["runs"][0]["id"], expected)
        # A second upload matches the cases created by the first: nothing is created twice.
        self.run_trcli_ok("parse_junit", "-f", self.junit("auto_match.xml"), "--suite-id", "1", "--title", "auto 2")
        again = self.sim.state()
        if len(again["cases"]) != len(st["cases"]) or len(again["sections"]) != len(st["sections"]):
            problems.append("second upload created cases or sections again")
        if len(again["runs"]) != 2:
            problems.append(f"{len(again['runs'])} runs after two uploads")
        else:
            problems += self.expect_results(again, again["runs"][1]["id"], expected)
        return problems

    def run_id(self):
        self.sim.reset()
        run = self.sim.api("add_run/1", {"suite_id": 1, "name": "existing", "include_all": False, "case_ids": [1, 2, 40]})
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--run-id", str(run["id"]))
        st, log = self.sim.state(), self.sim.log()
        problems = []
        if len(st["runs"]) != 1:
            problems.append(f"{len(st['runs'])} runs: trcli created a run although --run-id was given")
        cases = sorted(t["case_id"] for t in st["tests"] if t["run_id"] == run["id"])
        if cases != sorted(set(range(1, 9)) | {40}):
            problems.append(f"run holds cases {cases}, expected C1..C8 and C40 (merged)")
        problems += self.expect_results(st, run["id"], self.NAMES)
        if self.count(log, "update_run") != 1:
            problems.append("expected one update_run")
        return problems

    def plan_id(self):
        self.sim.reset()
        plan = self.sim.api("add_plan/1", {"name": "release plan"})
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--plan-id", str(plan["id"]), "--title", "plan run")
        st = self.sim.state()
        problems = []
        p = st["plans"][0]
        if len(p["entries"]) != 1 or len(p["entries"][0]["runs"]) != 1:
            return [f"plan entries: {p['entries']}"]
        run = p["entries"][0]["runs"][0]
        if run["plan_id"] != plan["id"] or run["name"] != "plan run":
            problems.append(f"plan run shape: {run}")
        problems += self.expect_results(st, run["id"], self.NAMES)
        return problems

    def plan_id_with_configs(self):
        self.sim.reset()
        plan = self.sim.api("add_plan/1", {"name": "configs plan"})
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--plan-id", str(plan["id"]), "--config-ids", "1,4",
                          "--title", "chrome on linux")
        st = self.sim.state()
        entries = st["plans"][0]["entries"]
        if len(entries) != 1 or len(entries[0]["runs"]) != 1:
            return [f"plan entries: {entries}"]
        run = entries[0]["runs"][0]
        problems = []
        if sorted(run["config_ids"]) != [1, 4] or run["config"] != "Chrome, Linux":
            problems.append(f"run configs {run['config_ids']} {run['config']!r}")
        problems += self.expect_results(st, run["id"], self.NAMES)
        return problems

    def close_run(self):
        self.sim.reset()
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "closing", "--close-run")
        st = self.sim.state()
        run = st["runs"][0]
        problems = self.expect_results(st, run["id"], self.NAMES)
        if not run["is_completed"] or not run["completed_on"]:
            problems.append("run was not closed")
        return problems

    MANY = {i: (FAILED if i % 10 == 0 else RETEST if i % 15 == 0 else PASSED) for i in range(1, 111)}

    def batch_250(self):
        self.sim.reset()
        self.run_trcli_ok("parse_junit", "-f", self.junit("many_results.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "big batch", batch=250)
        st, log = self.sim.state(), self.sim.log()
        problems = self.expect_results(st, st["runs"][0]["id"], self.MANY)
        n = self.count(log, "add_results_for_cases")
        if n != 1:
            problems.append(f"{n} add_results_for_cases requests with -b 250, expected 1")
        return problems

    def batch_default(self):
        self.sim.reset()
        self.run_trcli_ok("parse_junit", "-f", self.junit("many_results.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "default batches")
        st, log = self.sim.state(), self.sim.log()
        problems = self.expect_results(st, st["runs"][0]["id"], self.MANY)
        n = self.count(log, "add_results_for_cases")
        if n != 3:
            problems.append(f"{n} add_results_for_cases requests with the default batch size 50, expected 3")
        return problems

    # ----- faults --------------------------------------------------------------------

    def fault_429_retry_after(self):
        self.sim.reset(["too_many_requests:1@add_results_for_cases*2"])
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "429")
        st, log = self.sim.state(), self.sim.log()
        problems = self.expect_results(st, st["runs"][0]["id"], self.NAMES)
        if self.count(log, "add_results_for_cases", 429) != 2 or self.count(log, "add_results_for_cases", 200) != 1:
            problems.append("expected two 429s, then one 200 on add_results_for_cases")
        return problems

    def fault_rate_limit(self):
        # 8 requests per 2-second window: trcli's 3 + 11 batches of 10 overrun it and
        # trcli waits out each Retry-After; every result still lands once.
        self.sim.reset([{"kind": "rate_limit", "limit": 8, "window_ms": 2000}])
        self.run_trcli_ok("parse_junit", "-f", self.junit("many_results.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "rate limited", batch=10)
        st, log = self.sim.state(), self.sim.log()
        problems = self.expect_results(st, st["runs"][0]["id"], self.MANY)
        if not any(e["status"] == 429 for e in log):
            problems.append("the rate limit never answered 429")
        return problems

    def fault_429_without_retry_after(self):
        # trcli reads Retry-After unconditionally: a 429 without it crashes trcli.
        self.sim.reset(["too_many_requests_no_retry_after@add_results_for_cases*1"])
        code, out, _ = self.trcli("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                                  "--suite-id", "1", "--title", "429 bare")
        st = self.sim.state()
        problems = []
        if code == 0:
            problems.append("trcli exited 0 after a 429 without Retry-After (known to crash)")
        if "KeyError: 'retry-after'" not in out:
            problems.append("trcli did not fail on the missing Retry-After header")
        if st["results"]:
            problems.append(f"{len(st['results'])} results stored")
        crash = next((l for l in reversed(out.splitlines()) if l.startswith("KeyError")), "no KeyError")
        print(f"     trcli ends with exit {code} ({crash.strip()}), {len(st['runs'])} run(s) left, "
              f"{len(st['results'])} results")
        return problems

    def fault_502_burst(self):
        # Two HTML 502s from the proxy: trcli backs off (1 s, 2 s) and the third try lands.
        self.sim.reset(["html_status:502@add_results_for_cases*2"])
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "502")
        st, log = self.sim.state(), self.sim.log()
        problems = self.expect_results(st, st["runs"][0]["id"], self.NAMES)
        if self.count(log, "add_results_for_cases", 502) != 2:
            problems.append("expected two 502s on add_results_for_cases")
        return problems

    def fault_502_on_add_run(self):
        # JSON 502s on add_run: retried too, and only one run is created.
        self.sim.reset(["status:502@add_run*1"])
        self.run_trcli_ok("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "502 run")
        st = self.sim.state()
        problems = [] if len(st["runs"]) == 1 else [f"{len(st['runs'])} runs"]
        return problems + self.expect_results(st, st["runs"][0]["id"], self.NAMES)

    def fault_drop_after(self):
        # The connection drops after the results were stored: trcli retries the POST at once
        # and every result is stored twice. This records trcli's behaviour.
        self.sim.reset(["drop_after@add_results_for_cases*1"])
        code, out, _ = self.trcli("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                                  "--suite-id", "1", "--title", "dropped")
        st = self.sim.state()
        problems = []
        if code != 0:
            problems.append(f"trcli exited {code}")
        got = self.results_by_case(st, st["runs"][0]["id"])
        twice = sorted(c for c, rs in got.items() if len(rs) == 2)
        if twice != list(range(1, 9)):
            problems.append(f"expected every result twice (trcli re-posts), got doubles for {twice}")
        print(f"     trcli ends with exit {code}; results stored twice for C{twice[0] if twice else '-'}..")
        return problems

    def fault_401_midway(self):
        # Credentials revoked for the results upload: trcli gives up, deletes the run it
        # created and exits 1 (the build's results are gone).
        self.sim.reset(["unauthorized@add_results_for_cases*1"])
        code, out, _ = self.trcli("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                                  "--suite-id", "1", "--title", "revoked")
        st, log = self.sim.state(), self.sim.log()
        problems = []
        if code != 1:
            problems.append(f"trcli exited {code}, expected 1")
        if st["runs"] or st["results"]:
            problems.append(f"{len(st['runs'])} runs and {len(st['results'])} results left")
        if self.count(log, "delete_run", 200) != 1:
            problems.append("trcli did not delete its run")
        print(f"     trcli ends with exit {code}; its run was deleted: {self.count(log, 'delete_run', 200) == 1}")
        return problems

    def attachments(self):
        self.sim.reset()
        self.run_trcli_ok("parse_junit", "-f", self.junit("attachments.xml"), "--case-matcher", "name",
                          "--suite-id", "1", "--title", "attachments")
        st = self.sim.state(only="runs,results,attachments")
        problems = self.expect_results(st, st["runs"][0]["id"], {1: PASSED, 2: FAILED, 3: PASSED})
        case_of_result = {r["id"]: r["case_id"] for r in st["results"]}
        landed = sorted((case_of_result.get(a["result_id"]), a["name"], a["size"]) for a in st["attachments"])
        wanted = sorted([(1, "c1-cart.txt", 35), (2, "c2-panic.log", 23), (2, "c2-trace.txt", 12)])
        if landed != wanted:
            problems.append(f"attachments landed as {landed}, expected {wanted}")
        for r in st["results"]:
            if sorted(r["attachment_ids"]) != sorted(a["id"] for a in st["attachments"] if a["result_id"] == r["id"]):
                problems.append(f"result {r['id']} lists attachments {r['attachment_ids']}")
        return problems

    def fault_hang_past_timeout(self):
        # The server takes 2.5 s while trcli waits 1 s (-t 1): trcli retries at once, and
        # when the first request finishes too, every result is stored twice.
        self.sim.reset(["hang:2500@add_results_for_cases*1"])
        code, out, _ = self.trcli("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                                  "--suite-id", "1", "--title", "slow", timeout_flag=1)
        deadline = time.time() + 5
        while time.time() < deadline and len(self.sim.state(only="results")["results"]) < 16:
            time.sleep(0.1)
        st = self.sim.state()
        problems = []
        if code != 0:
            problems.append(f"trcli exited {code}")
        got = self.results_by_case(st, st["runs"][0]["id"]) if st["runs"] else {}
        counts = sorted({len(rs) for rs in got.values()})
        if counts != [2]:
            problems.append(f"results per case {counts}, expected 2 each (timeout, retry, late store)")
        print(f"     trcli ends with exit {code}; each result stored {counts} time(s)")
        return problems

    def fault_login_page(self):
        # A wrong base URL answering TestRail's login page with 200: trcli stops at once.
        self.sim.reset(["login_page"])
        code, out, _ = self.trcli("parse_junit", "-f", self.junit("case_ids_in_names.xml"), "--case-matcher", "name",
                                  "--suite-id", "1", "--title", "login")
        self.sim.call("DELETE", "faults")
        st = self.sim.state()
        problems = []
        if code == 0:
            problems.append("trcli exited 0 against a login page")
        if st["runs"]:
            problems.append("a run was created")
        print(f"     trcli ends with exit {code}")
        return problems

    def run(self):
        for name in [
            "names", "property", "auto_create", "run_id", "plan_id", "plan_id_with_configs", "close_run",
            "batch_250", "batch_default", "attachments", "fault_429_retry_after", "fault_rate_limit",
            "fault_429_without_retry_after", "fault_502_burst", "fault_502_on_add_run", "fault_drop_after", "fault_hang_past_timeout",
            "fault_401_midway", "fault_login_page",
        ]:
            self.scenario(name, getattr(self, name))
        self.sim.stop()
        print(f"trcli-conformance: {len(self.passed)} passed, {len(self.failed)} failed")
        return 1 if self.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--trcli", required=True)
    ap.add_argument("--junit", required=True)
    ap.add_argument("--only")
    args = ap.parse_args()
    args.sim, args.trcli, args.junit = (os.path.abspath(p) for p in (args.sim, args.trcli, args.junit))
    sys.exit(Conformance(args).run())


if __name__ == "__main__":
    main()
