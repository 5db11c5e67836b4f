#!/usr/bin/env python3
# compare-audits.py — is the audit drawn in an engine the one drawn locally?
#
# Copyright 2026 The Refusal Audit authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""compare-audits.py CLI LOCAL_DB LOCAL_AUDIT EXTERNAL_DB EXTERNAL_AUDIT WHAT

WHAT is one of:
  items   the review order item for item (position, turn id, model, stratum)
  strata  N_h, turns and n_h of every stratum
  label   writes the same labels into both audits (a fixed rule over the
          turn id), through `labels import`
  report  the report (JSON) after the labels, with the provenance that
          names the audit, its creation and its frame's origin left out

Exit 0 when equal, 1 with the first difference on stderr.
"""

import json
import subprocess
import sys
import tempfile
import uuid


def run(cli, db, *args):
    out = subprocess.run([cli, "--db", db, *args], check=True, capture_output=True, text=True)
    return out.stdout


def items(cli, db, audit):
    return [(i["position"], i["turn_id"], i["model"], i["stratum"])
            for i in json.loads(run(cli, db, "audit", "items", audit, "--json"))]


def strata(cli, db, audit):
    a = json.loads(run(cli, db, "audit", "show", audit, "--json"))
    return [(s["stratum"], s["population"], s["turns"], s["sampled"]) for s in a["strata"]]


def label(cli, db, audit):
    lines = []
    for pos, turn, model, stratum in items(cli, db, audit):
        n = int(turn)
        value = ("should-have-attempted" if n % 3 == 0 else
                 "unsure" if n % 17 == 0 else "correctly-declined")
        lines.append(json.dumps({
            "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{audit}/{turn}/{model}")),
            "audit": audit, "ext_id": turn, "model": model, "class": stratum.split("/")[0],
            "reviewer": "r1", "value": value, "note": None, "flagged": False, "seconds": None,
            "created_at": "2026-03-01T00:00:00.000000Z", "undoes": None}))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    run(cli, db, "labels", "import", f.name, "--format", "jsonl")


def report(cli, db, audit):
    r = json.loads(run(cli, db, "report", audit, "--format", "json"))
    prov = r.pop("provenance")
    # What may differ: the audit's name and time, the frame's fingerprint
    # (the items locally, the counts externally) and the design's record of
    # where the frame was counted.
    keep = {k: v for k, v in prov.items()
            if k not in ("audit", "frame_fingerprint", "audit_created_at", "generated_at", "design",
                         "declined_by", "filters")}
    design = {k: v for k, v in prov.get("design", {}).items()
              if k not in ("external", "frame", "extensions")}
    return {"provenance": keep, "design": design, **r}


def main():
    cli, ldb, la, edb, ea, what = sys.argv[1:7]
    if what == "label":
        label(cli, ldb, la)
        label(cli, edb, ea)
        return 0
    f = {"items": items, "strata": strata, "report": report}[what]
    a, b = f(cli, ldb, la), f(cli, edb, ea)
    if a == b:
        return 0
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print(f"{what}: first difference at {i}: local {x} external {y}", file=sys.stderr)
                return 1
        print(f"{what}: local has {len(a)}, external {len(b)}", file=sys.stderr)
        return 1
    sa, sb = json.dumps(a, indent=1, sort_keys=True).splitlines(), json.dumps(b, indent=1, sort_keys=True).splitlines()
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y:
            print(f"{what}: line {i}: local {x} external {y}", file=sys.stderr)
            break
    return 1


if __name__ == "__main__":
    sys.exit(main())
