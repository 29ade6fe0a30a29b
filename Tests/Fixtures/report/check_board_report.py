#!/usr/bin/env python3
"""Recomputes every figure of a Board report's JSON from the stored pupil rows, independently
of the Swift code: plain SQL reads of drop_pupils and the DfE counting rules written out again.

    check_board_report.py DB REPORT.json

Prints one JSON object: {"checked": N, "errors": [...]} (errors empty when every figure agrees
to 0.01 points and every count and denominator exactly).
"""
import json, sqlite3, sys

db = sqlite3.connect(sys.argv[1])
report = json.load(open(sys.argv[2], encoding="utf-8"))
drop = report["drop"]
term_order = ["autumn", "spring", "summer"]
year, term = drop.split("/")
start = int(year[:4])
previous = f"{start - 1}-{str(start)[2:]}/summer" if term == "autumn" else f"{year}/{term_order[term_order.index(term) - 1]}"
last_year = f"{start - 1}-{str(start)[2:]}/{term}"
COLS = ["pupil_key", "year", "gender", "pp", "eal", "send", "reading", "writing", "maths",
        "reading_target", "writing_target", "maths_target", "gld", "phonics", "mtc"]

def rows(academy, d):
    cur = db.execute(f"SELECT {', '.join(COLS)}, typeof(phonics), typeof(mtc) FROM drop_pupils WHERE academy = ? AND drop_id = ?", (academy, d))
    return [dict(zip(COLS + ["phonics_type", "mtc_type"], r)) for r in cur]

RANK = {"BLW": 0, "WTS": 1, "EXS": 2, "GDS": 3}
SUBJECTS = {"reading": ["reading"], "writing": ["writing"], "maths": ["maths"], "rwm": ["reading", "writing", "maths"]}

def in_group(p, g):
    return {"all": True, "pp": p["pp"] == 1, "not_pp": p["pp"] == 0, "send_n": p["send"] == "N",
            "send_k": p["send"] == "K", "send_e": p["send"] == "E", "eal": p["eal"] == 1,
            "not_eal": p["eal"] == 0, "girls": p["gender"] == "F", "boys": p["gender"] == "M"}[g]

def codes(p, subjects):
    found = [p[s] for s in subjects if p[s] in ("A", "D", "J")]
    return found[0] if found else None

def no_result(cohort, pick):
    out = {"absent": 0, "disapplied": 0, "new_arrival": 0}
    for p in cohort:
        c = pick(p)
        if c: out[{"A": "absent", "D": "disapplied", "J": "new_arrival"}[c]] += 1
    return out

def compute(pupils, measure, yr, group):
    """(value, count, cohort, smallest, no_result) by the DfE rules; None if not defined."""
    people = [p for p in pupils if in_group(p, group)]
    kind, _, subject = measure.partition(".")
    if kind in ("expected", "greater_depth", "on_target", "target_expected", "target_greater_depth", "disadvantaged_gap"):
        years = [yr] if yr else ["1", "2", "3", "4", "5", "6"]
        cohort = [p for p in people if p["year"] in years and p["reading"] is not None]
        subs = SUBJECTS[subject]
        def hit(p):
            j = [p[s] for s in subs]; t = [p[s + "_target"] for s in subs]
            if kind == "expected": return all(x in ("EXS", "GDS") for x in j)
            if kind == "greater_depth": return all(x == "GDS" for x in j)
            if kind == "on_target": return all(x in RANK and RANK[x] >= RANK[y] for x, y in zip(j, t))
            if kind == "target_expected": return all(y in ("EXS", "GDS") for y in t)
            return all(y == "GDS" for y in t)
        if kind == "disadvantaged_gap":
            if group != "all": return None
            pp = [p for p in cohort if p["pp"] == 1]; other = [p for p in cohort if p["pp"] == 0]
            e = lambda c: sum(all(p[s] in ("EXS", "GDS") for s in subs) for p in c)
            value = 100 * e(other) / len(other) - 100 * e(pp) / len(pp) if pp and other else None
            return value, None, len(pp), min(len(pp), len(other)), no_result(cohort, lambda p: codes(p, subs))
        n = sum(hit(p) for p in cohort)
        return (100 * n / len(cohort) if cohort else None), n, len(cohort), len(cohort), no_result(cohort, lambda p: codes(p, subs))
    if measure == "gld":
        cohort = [p for p in people if p["year"] == "R" and p["gld"] is not None]
        n = sum(p["gld"] == 1 for p in cohort)
        return (100 * n / len(cohort) if cohort else None), n, len(cohort), len(cohort), no_result(cohort, lambda p: None)
    if measure == "phonics_pass":
        cohort = [p for p in people if p["year"] == (yr or "1") and p["phonics"] is not None]
        n = sum(p["phonics_type"] == "integer" and p["phonics"] >= 32 for p in cohort)
        return (100 * n / len(cohort) if cohort else None), n, len(cohort), len(cohort), no_result(cohort, lambda p: p["phonics"] if p["phonics_type"] == "text" else None)
    if measure in ("mtc_mean", "mtc_full_marks"):
        eligible = [p for p in people if p["year"] == "4" and p["mtc"] is not None]
        took = [p for p in eligible if p["mtc_type"] == "integer"]
        nr = no_result(eligible, lambda p: p["mtc"] if p["mtc_type"] == "text" else None)
        if measure == "mtc_mean":
            return (sum(p["mtc"] for p in took) / len(took) if took else None), None, len(took), len(took), nr
        n = sum(p["mtc"] == 25 for p in took)
        return (100 * n / len(eligible) if eligible else None), n, len(eligible), len(eligible), nr
    raise ValueError(measure)

errors, checked = [], 0

def check(where, figure, pupils, small, withhold):
    global checked
    checked += 1
    got = compute(pupils, figure["measure"], figure.get("year"), figure["group"])
    label = f"{where}: {figure['measure']} year {figure.get('year')} {figure['group']}"
    if got is None:
        errors.append(f"{label}: in the report but undefined"); return
    value, count, cohort, smallest, nr = got
    if figure["cohort"] != cohort:
        errors.append(f"{label}: denominator {figure['cohort']}, recomputed {cohort}")
    if 0 < smallest < withhold and not figure["withheld"]:
        errors.append(f"{label}: over {smallest} pupils but not withheld")
    if figure["withheld"]:
        if figure.get("value") is not None or figure.get("count") is not None:
            errors.append(f"{label}: withheld but shows a value")
        return
    if (value is None) != (figure.get("value") is None) or (value is not None and abs(value - figure.get("value")) > 0.01):
        errors.append(f"{label}: {figure['value']}, recomputed {value}")
    if figure.get("count") != count:
        errors.append(f"{label}: count {figure['count']}, recomputed {count}")
    if value is not None and figure["no_result"] != nr:
        errors.append(f"{label}: no-result {figure['no_result']}, recomputed {nr}")
    if (value is not None and 0 < smallest < small) != figure["small_cohort"]:
        errors.append(f"{label}: small-cohort mark {figure['small_cohort']} for {smallest} pupils")

def progress(now, then):
    earlier = {p["pupil_key"]: p for p in then}
    out = []
    for yr in ["1", "2", "3", "4", "5", "6"]:
        for s in ["reading", "writing", "maths"]:
            r = dict(subject=s, year=yr, matched=0, up=0, held=0, down=0, on_track=0, no_result=0)
            for p in now:
                if p["year"] != yr or p["pupil_key"] not in earlier: continue
                was, is_ = earlier[p["pupil_key"]][s], p[s]
                if was is None or is_ is None: continue
                if was not in RANK or is_ not in RANK: r["no_result"] += 1; continue
                r["matched"] += 1
                r["up" if RANK[is_] > RANK[was] else "held" if is_ == was else "down"] += 1
                r["on_track"] += RANK[is_] >= RANK[p[s + "_target"]]
            if r["matched"] + r["no_result"]: out.append(r)
    return out

def check_body(where, figures, pupils, before):
    small, withhold = report["small_group"], report["withhold_below"]
    for f in figures["columns"] + figures["statutory"]: check(where, f, pupils, small, withhold)
    for row in figures["years"]:
        for s in row["subjects"]:
            for k in ("expected", "greater_depth", "on_target", "target_expected", "target_greater_depth"):
                check(where, s[k], pupils, small, withhold)
    for g in figures["groups"]:
        for f in g["figures"]:
            check(where, f, pupils, small, withhold)
    for gap in figures["disadvantaged_gap"]:
        check(where, gap["gap"], pupils, small, withhold)
    want = progress(pupils, before) if before else []
    got = figures["progress"]["rows"] if figures.get("progress") else []
    global checked
    checked += 1
    if want != got: errors.append(f"{where}: progress rows differ: {got[:2]} against {want[:2]}")

trust_now, trust_before = [], []
for academy in report["academies"]:
    if not academy["submitted"]: continue
    now, before = rows(academy["id"], drop), rows(academy["id"], previous)
    trust_now += now; trust_before += before
    check_body(academy["id"], academy["figures"], now, before)
check_body("trust", report["trust"]["figures"], trust_now, trust_before)
print(json.dumps({"checked": checked, "errors": errors[:20], "error_count": len(errors)}))
