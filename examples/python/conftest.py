"""The conformance kit's closing line, the same from every host's runner: "conformance: N passed, N failed"."""


def pytest_terminal_summary(terminalreporter):
    outcomes = {}
    for kind in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(kind, []):
            nodeid = getattr(report, "nodeid", "")
            if "test_conformance.py::" in nodeid and (kind != "passed" or report.when == "call"):
                outcomes.setdefault(nodeid, "failed" if kind == "error" else kind)
    if outcomes:
        counts = {k: sum(1 for v in outcomes.values() if v == k) for k in ("passed", "failed", "skipped")}
        line = f"conformance: {counts['passed']} passed, {counts['failed']} failed"
        terminalreporter.write_line(line + (f", {counts['skipped']} skipped" if counts["skipped"] else ""))
