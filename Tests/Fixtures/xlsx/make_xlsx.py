#!/usr/bin/python3
"""Workbooks for the .xlsx reader's tests and benchmark, written with the standard library's
zipfile: nothing of the reader under test is used to make them.

  make_xlsx.py csv IN.csv OUT.xlsx [--sheet NAME] [--style plain|mixed] [--date1904]
      The CSV's rows as a sheet. plain: every value a shared string, every cell with `r`.
      mixed: what real producers do, varied cell by cell: whole numbers as numbers, TRUE/FALSE
      as booleans, some strings inline, some rich text runs, some cells without `r`, `_xHHHH_`
      escapes for control characters, empty cells written out, a second hidden sheet first.
  make_xlsx.py hostile KIND OUT.xlsx
      zip-bomb | zip-bomb-understated | entries-100000 | doctype | entity | empty-rows-1000000 |
      encrypted | truncated (needs a VALID.xlsx as a 4th argument)
"""
import csv, io, re, sys, zipfile, zlib

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def esc(text):
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # XML 1.0 cannot carry most control characters; OOXML writes them as _xHHHH_, and a
    # literal "_x" sequence has its underscore escaped as _x005F_.
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return "".join("_x%04X_" % ord(c) if ord(c) < 0x20 and c not in "\t\n\r" else c for c in text)


def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def package(sheets, strings, date1904=False, extra=None):
    """sheets: [(name, xml, hidden)]; returns the .xlsx bytes."""
    out = io.BytesIO()
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    overrides = f'<Override PartName="/xl/workbook.xml" ContentType="{ct}sheet.main+xml"/>' \
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}sharedStrings+xml"/>' \
        f'<Override PartName="/xl/styles.xml" ContentType="{ct}styles+xml"/>' + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{ct}worksheet+xml"/>' for i in range(len(sheets)))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        hidden = ' state="hidden"'
        sheet_list = "".join(f'<sheet name="{esc(n)}" sheetId="{i + 1}" r:id="rId{i + 10}"{hidden if h else ""}/>'
                             for i, (n, _, h) in enumerate(sheets))
        pr = ' date1904="1"' if date1904 else ""
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {NS}>'
                   f'<workbookPr{pr}/><sheets>{sheet_list}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i + 10}" Type="{REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(len(sheets)))
        rels += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        rels += f'<Relationship Id="rId3" Type="{REL}/styles" Target="/xl/styles.xml"/>'
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?>\n'
                   f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        # Style 1 is a built-in date (14), style 2 a custom date-time, style 3 a plain number.
        z.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet {NS}>'
                   '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts>'
                   '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
                   '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="2"/></cellXfs></styleSheet>')
        for i, (_, xml, _) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS} count="{len(strings)}" uniqueCount="{len(strings)}">'
                   + "".join(strings) + "</sst>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows, style):
    """rows: lists of strings; returns (sheet xml, shared string items)."""
    strings, index = [], {}
    def shared(text, rich=False):
        if text not in index:
            index[text] = len(strings)
            if rich and len(text) > 3:
                half = len(text) // 2
                strings.append(f'<si><r><rPr><b/></rPr><t xml:space="preserve">{esc(text[:half])}</t></r>'
                               f'<r><t xml:space="preserve">{esc(text[half:])}</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>')
            else:
                strings.append(f'<si><t xml:space="preserve">{esc(text)}</t></si>')
        return index[text]
    width = max((len(r) for r in rows), default=1)
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}>'
           f'<dimension ref="A1:{col(width - 1)}{max(1, len(rows))}"/><sheetData>']
    k = 0
    for r, row in enumerate(rows, start=1):
        cells = []
        previous = -1  # the column of the last cell element written
        for c, value in enumerate(row):
            k += 1
            ref = f' r="{col(c)}{r}"'
            if style == "mixed" and k % 7 == 3 and previous == c - 1:
                ref = ""  # the reader must place it after the previous cell
            if value == "":
                if style == "mixed" and (k % 3 == 0 or ref == ""):
                    cells.append(f'<c{ref} s="3"/>')
                    previous = c
                continue
            previous = c
            if style == "mixed" and re.fullmatch(r"-?[1-9][0-9]{0,8}|0", value) and r > 1:
                cells.append(f'<c{ref}><v>{value}</v></c>')
            elif style == "mixed" and value in ("TRUE", "FALSE") and r > 1:
                cells.append(f'<c{ref} t="b"><v>{1 if value == "TRUE" else 0}</v></c>')
            elif style == "mixed" and k % 5 == 1:
                cells.append(f'<c{ref} t="inlineStr"><is><t xml:space="preserve">{esc(value)}</t></is></c>')
            elif style == "mixed" and k % 11 == 4:
                cells.append(f'<c{ref} t="str"><f>TRIM(A1)</f><v>{esc(value)}</v></c>')
            else:
                cells.append(f'<c{ref} t="s"><v>{shared(value, rich=style == "mixed" and k % 4 == 2)}</v></c>')
        spans = ' spans="1:%d"' % max(1, len(row))
        out.append(f'<row r="{r}"{spans}>' + "".join(cells) + "</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out), strings


def from_csv(path, out, sheet="Sheet1", style="plain", date1904=False):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    xml, strings = sheet_xml(rows, style)
    sheets = [(sheet, xml, False)]
    if style == "mixed":
        # A hidden sheet first: the reader must pick the first visible one.
        sheets.insert(0, ("Lists", f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>', True))
    open(out, "wb").write(package(sheets, strings, date1904))


def bomb(zip64):
    """1 GiB of spaces in the sheet, about 1 MB compressed, written chunk by chunk."""
    raw = io.BytesIO()
    simple = f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row></sheetData></worksheet>'
    body = package([("Sheet1", simple, False)], [])
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(io.BytesIO(body)) as src:
            for item in src.infolist():
                if item.filename != "xl/worksheets/sheet1.xml":
                    z.writestr(item, src.read(item))
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2021, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=zip64) as w:
            w.write(f'<worksheet {NS}><sheetData>'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                w.write(chunk)
            w.write(b"</sheetData></worksheet>")
    return raw.getvalue()


def hostile(kind, out, valid=None):
    simple = f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row></sheetData></worksheet>'
    if kind == "zip-bomb-understated":
        # The same bomb without zip64, its directory claiming the sheet is no larger compressed
        # than stored: only the caps applied while inflating can stop it.
        import struct
        data = bytearray(bomb(zip64=False))
        name = b"xl/worksheets/sheet1.xml"
        at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
        compressed = struct.unpack_from("<I", data, at + 20)[0]
        struct.pack_into("<I", data, at + 24, compressed)
        data = bytes(data)
    elif kind == "zip-bomb":
        data = bomb(zip64=True)
    elif kind == "entries-100000":
        raw = io.BytesIO()
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as z:
            with zipfile.ZipFile(io.BytesIO(package([("Sheet1", simple, False)], []))) as src:
                for item in src.infolist():
                    z.writestr(item.filename, src.read(item))
            for i in range(100000 - 7):
                z.writestr(f"x/{i}", b"")
        data = raw.getvalue()
    elif kind in ("doctype", "entity"):
        lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' \
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        if kind == "doctype":
            xml = '<?xml version="1.0"?>\n' + lol + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
        else:
            xml = f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
        data = package([("Sheet1", xml, False)], [])
    elif kind == "truncated":
        data = open(valid, "rb").read()
        data = data[:len(data) * 2 // 3]
    elif kind == "empty-rows-1000000":
        xml = f'<worksheet {NS}><sheetData>' + "".join(f'<row r="{r}"/>' for r in range(1, 1000001)) + "</sheetData></worksheet>"
        data = package([("Sheet1", xml, False)], [])
    elif kind == "encrypted":
        data = encrypted_container()
    else:
        raise SystemExit("unknown kind " + kind)
    open(out, "wb").write(data)


def encrypted_container():
    """What Excel's "Encrypt with Password" writes: not a zip but an OLE2 compound file (MS-CFB)
    with the streams EncryptionInfo (agile, version 4.4) and EncryptedPackage (MS-OFFCRYPTO).
    The package bytes are random here, since no reader can open them without the password."""
    import os, struct
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password"><keyData saltSize="16" blockSize="16" '
        'keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>').encode()
    info = info.ljust(4096, b" ")
    package = struct.pack("<Q", 4088) + os.urandom(4088)
    sector = 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + list(range(3, 10)) + [0xFFFFFFFE] + list(range(11, 18)) + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    def entry(name, kind, child=0xFFFFFFFF, right=0xFFFFFFFF, start=0xFFFFFFFE, size=0):
        n = (name + "\0").encode("utf-16-le") if name else b""
        return (n.ljust(64, b"\0") + struct.pack("<HBB", len(n), kind, 1) + struct.pack("<III", 0xFFFFFFFF, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))
    directory = (entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2, start=2, size=len(info))
                 + entry("EncryptedPackage", 2, start=10, size=len(package)) + b"\0" * 128)
    header = (bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) * 108)
    assert len(header) == sector
    return header + struct.pack("<128I", *fat) + directory + info + package


def main(argv):
    if len(argv) >= 4 and argv[1] == "csv":
        opts = dict(zip(argv[4::2], argv[5::2]))
        flags = set(a for a in argv[4:] if a == "--date1904")
        opts.pop("--date1904", None)
        from_csv(argv[2], argv[3], sheet=opts.get("--sheet", "Sheet1"), style=opts.get("--style", "plain"),
                 date1904="--date1904" in flags)
    elif len(argv) >= 4 and argv[1] == "hostile":
        hostile(argv[2], argv[3], argv[4] if len(argv) > 4 else None)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
