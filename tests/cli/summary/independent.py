#!/usr/bin/env python3
"""The figures of `fieldbook summary` (SPEC §6), computed another way.

Reads the records through `fieldbook query` only -- JSON for the structure,
tables in the Gregorian calendar for dates (one date parser, as the project
has one) -- and counts in Python, then compares every number and date of
`summary --format json` with its own.

    independent.py FIELDBOOK REPO TODAY SINCE UNTIL SUMMARY.json [STALE_DAYS]
"""
import datetime
import json
import re
import subprocess
import sys

fb, repo, today, since, until, summary_path = sys.argv[1:7]
stale = int(sys.argv[7]) if len(sys.argv) > 7 else 90


def q(*args):
    out = subprocess.run([fb, "-C", repo, "--today", today, "query", *args],
                         check=True, capture_output=True, text=True).stdout
    return out


def records(type_):
    return json.loads(q(type_, "--format", "json"))


def dates(type_, field, expr=None):
    """id -> [ISO dates] of a (possibly list) x-date field, from a table."""
    args = [type_, "-f", "id," + field, "--calendar", "gregorian"]
    if expr:
        args.insert(1, expr)
    lines = q(*args).splitlines()[1:]
    out = {}
    for line in lines:
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        if len(parts) == 2 and parts[1]:
            out[parts[0]] = [d.strip() for d in parts[1].split(",")]
    return out


def day(s):
    return datetime.date.fromisoformat(s)


summary = json.load(open(summary_path))
T = day(summary["today"]["gregorian"])
S = day(summary["since"]["gregorian"])
U = day(summary["until"]["gregorian"])

counties = {c["id"]: c for c in records("counties")}
contacts = {c["id"]: c for c in records("contacts")}
visits = {v["id"]: v for v in records("visits")}
assessments = {a["id"]: a for a in records("assessments")}
vdate = {k: day(v[0]) for k, v in dates("visits", "date").items()}
adate = {k: day(v[0]) for k, v in dates("assessments", "date").items()}
first_met = {k: day(v[0]) for k, v in dates("contacts", "first_met").items()}
fu_due = {k: [day(x) for x in v] for k, v in dates("visits", "follow_ups.due").items()}

# a contact's last meeting: first_met and the visits referencing it, up to today
last_met = {}
for cid in contacts:
    if cid in first_met and first_met[cid] <= T:
        last_met[cid] = first_met[cid]
for vid, v in visits.items():
    if vid not in vdate or vdate[vid] > T:
        continue
    for cid in set(v.get("contacts", [])):
        if cid in contacts and (cid not in last_met or vdate[vid] > last_met[cid]):
            last_met[cid] = vdate[vid]

SEV = ["high", "medium", "low"]
want = {}
for cid_, c in counties.items():
    active = [k for k, x in contacts.items() if x.get("county") == cid_ and x.get("status") != "inactive"]
    due = [k for k in active if k not in last_met or (T - last_met[k]).days > stale]
    mine = [k for k, v in visits.items() if v.get("county") == cid_ and k in vdate]
    in_range = [k for k in mine if S <= vdate[k] <= U]
    met = set(x for k in in_range for x in visits[k].get("contacts", []))
    past = [vdate[k] for k in mine if vdate[k] <= T]
    fopen = fover = 0
    issues = {s: 0 for s in SEV}
    for k, v in visits.items():
        if v.get("county") != cid_:
            continue
        for i, f in enumerate(v.get("follow_ups", [])):
            if f.get("status") == "open":
                fopen += 1
                if fu_due[k][i] < T:
                    fover += 1
        for x in v.get("issues", []):
            if x.get("status") == "open":
                issues[x["severity"]] += 1
    for k, a in assessments.items():
        if a.get("county") != cid_:
            continue
        for x in a.get("issues", []):
            if x.get("status") == "open":
                issues[x["severity"]] += 1
    gov = sorted((a["period"], adate[k], k) for k, a in assessments.items()
                 if a.get("county") == cid_ and a.get("position") == "farmandar")
    pick = None
    if gov:
        _, _, aid = gov[-1]
        a = assessments[aid]
        prev = sorted((x["period"], adate[k], k) for k, x in assessments.items()
                      if x.get("position") == "farmandar" and x.get("subject") == a["subject"]
                      and (x["period"], adate[k]) < (a["period"], adate[aid]))
        pick = {"id": aid, "period": a["period"], "subject": a["subject"],
                "overall": a["overall"], "scores": a["scores"],
                "change": a["overall"] - assessments[prev[-1][2]]["overall"] if prev else None}
    want[cid_] = {
        "contacts": len(active), "visits": len(in_range), "contacts_met": len(met),
        "last_visit": max(past).isoformat() if past else None,
        "contacts_due": len(due), "follow_ups_open": fopen, "follow_ups_overdue": fover,
        "issues_open": issues, "assessment": pick, "name": c.get("name"),
        "_met": met,
    }

bad = 0
got = {c["id"]: c for c in summary["counties"]}
if sorted(got) != sorted(want):
    print("counties differ:", sorted(got), sorted(want))
    sys.exit(1)
for cid_, w in want.items():
    g = got[cid_]
    for key in ["name", "contacts", "visits", "contacts_met", "contacts_due",
                "follow_ups_open", "follow_ups_overdue", "issues_open"]:
        if g[key] != w[key]:
            print(f"{cid_}.{key}: summary {g[key]!r}, independent {w[key]!r}")
            bad += 1
    lv = g["last_visit"]["gregorian"] if g["last_visit"] else None
    if lv != w["last_visit"]:
        print(f"{cid_}.last_visit: summary {lv!r}, independent {w['last_visit']!r}")
        bad += 1
    ga = g["assessment"]
    if (ga is None) != (w["assessment"] is None) or (ga and ga != w["assessment"]):
        print(f"{cid_}.assessment: summary {ga!r}, independent {w['assessment']!r}")
        bad += 1
tot = summary["totals"]
for key in ["contacts", "visits", "contacts_due", "follow_ups_open", "follow_ups_overdue"]:
    s = sum(w[key] for w in want.values())
    if tot[key] != s:
        print(f"totals.{key}: summary {tot[key]}, independent {s}")
        bad += 1
met_all = set().union(*(w["_met"] for w in want.values())) if want else set()
if tot["contacts_met"] != len(met_all):
    print(f"totals.contacts_met: summary {tot['contacts_met']}, independent {len(met_all)}")
    bad += 1
for s in SEV:
    n = sum(w["issues_open"][s] for w in want.values())
    if tot["issues_open"][s] != n:
        print(f"totals.issues_open.{s}: summary {tot['issues_open'][s]}, independent {n}")
        bad += 1
checked = len(want) * 12 + 9
print(f"{checked} figures checked, {bad} differ")
sys.exit(1 if bad else 0)
