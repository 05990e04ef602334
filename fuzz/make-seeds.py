#!/usr/bin/env python3
"""Writes the fuzzers' seed inputs into fuzz/seeds/<target>/: small valid examples of
each input (a Word plan with automatic numbering and a table, text plans, push and
login bodies), from which libFuzzer mutates. Run once; the seeds are committed."""
import json
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")
PLAN = os.path.join(HERE, "..", "seed", "ke-hoach-215-KH-UBND-2019-kon-tum.md")


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(SEEDS, target, name), "wb") as f:
        f.write(data)


plan = open(PLAN, encoding="utf-8").read()
# The text plan: its head and first tasks, its organisation part, and the whole.
lines = plan.split("\n")
head = "\n".join(lines[:60])
organisation = plan[plan.find("III. "):] if "III. " in plan else plan[-4000:]
write("plan_file", "full.md", plan)
write("plan_file", "head.md", head)
write("plan_file", "organisation.md", head + "\n\n" + organisation)
write("plan_file", "utf16.md", b"\xff\xfe" + head[:2000].encode("utf-16-le"))
write("plan_file", "table.md", "\n".join(lines[:12]) + """

II. NỘI DUNG

| TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian |
| --- | --- | --- | --- | --- |
| 1 | Tuyên truyền đối ngoại | Sở Thông tin và Truyền thông | Các sở, ngành | Quý II |
| 2 | Thông tin biên giới | Bộ Chỉ huy Bộ đội Biên phòng tỉnh | UBND các huyện | Thường xuyên |
""")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text, num=None, style=None):
    ppr = ""
    if num is not None or style:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if num is not None:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{esc(text)}</w:t></w:r></w:p>'


def docx(paragraphs, table_rows=(), numbering=True):
    body = "".join(paragraphs)
    if table_rows:
        body += "<w:tbl>" + "".join(
            "<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in row) + "</w:tr>"
            for row in table_rows
        ) + "</w:tbl>"
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(
            [("upperRoman", "%1."), ("decimal", "%2."), ("decimal", "%2.%3."), ("lowerLetter", "%4)"), ("bullet", "-")]
        )
    )
    numbering_xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0">{levels}</w:abstractNum>'
        f'<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        f'<w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="3"/></w:lvlOverride></w:num>'
        f"</w:numbering>"
    )
    styles_xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Heading1">'
        f'<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>'
    )
    import io
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", document)
        if numbering:
            z.writestr("word/numbering.xml", numbering_xml)
            z.writestr("word/styles.xml", styles_xml)
    return out.getvalue()


header = [l for l in lines[:12] if l.strip()]
numbered = [para(l) for l in header] + [
    para("MỤC ĐÍCH, YÊU CẦU", num=(1, 0)),
    para("Nhằm nâng cao nhận thức.", num=(1, 4)),
    para("NỘI DUNG", style="Heading1"),
    para("Công tác tuyên truyền, thông tin đối ngoại", num=(1, 1)),
    para("Hướng dẫn, theo dõi, đôn đốc nội dung tuyên truyền đối ngoại.", num=(1, 2)),
    para("Cơ quan chủ trì: Sở Thông tin và Truyền thông."),
    para("Cơ quan phối hợp: Các cơ quan, đơn vị, địa phương."),
    para("Thời gian thực hiện: Thường xuyên."),
    para("Thông tin biên giới", num=(2, 1)),
    para("Một việc", num=(2, 3)),
    para("TỔ CHỨC THỰC HIỆN", num=(1, 0)),
    para("Sở Thông tin và Truyền thông tổng hợp báo cáo UBND tỉnh trước ngày 15/6 và 15/12."),
]
rows = [
    ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"],
    ["1", "Tuyên truyền đối ngoại", "Sở Thông tin và Truyền thông", "Các sở, ngành", "Quý II"],
    ["2", "Thông tin biên giới", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "UBND các huyện", "Thường xuyên"],
]
os.makedirs(os.path.join(SEEDS, "docx_parts"), exist_ok=True)
for name, paras, tbl in [("numbered", numbered, ()), ("table", [para(l) for l in header] + [para("II. NỘI DUNG")], rows)]:
    with zipfile.ZipFile(__import__("io").BytesIO(docx(paras, tbl))) as z:
        parts = [z.read(n) for n in ("word/document.xml", "word/numbering.xml", "word/styles.xml")]
    write("docx_parts", name + ".xml", b"\xff".join(parts))
for target in ("docx", "plan_file"):
    write(target, "numbered.docx", docx(numbered))
    write(target, "table.docx", docx([para(l) for l in header] + [para("II. NỘI DUNG")], rows))
    write(target, "plain.docx", docx([para(l) for l in lines[:80] if l.strip()], numbering=False))

progress = {"seq": 7, "id": "9c1d3e4f-0000-4000-8000-000000000007", "kind": "progress.record",
            "plan": "215/KH-UBND", "task": "5.2", "status": "in_progress", "results": "Đã họp triển khai",
            "difficulties": "", "proposals": "", "percent": 40,
            "observed_at": "2019-06-14T08:30:00+07:00", "base": 12}
v1 = {"seq": 8, "id": "9c1d3e4f-0000-4000-8000-000000000008", "kind": "progress.record",
      "task": "1.1", "status": "done", "note": "xong", "observed_at": "2019-06-14T08:30:00Z"}
submit = {"seq": 9, "id": "9c1d3e4f-0000-4000-8000-000000000009", "kind": "report.submit",
          "plan": "215/KH-UBND", "period": "H1-2019", "scope": "agency", "base": 41,
          "summary": "Tốt", "direction": "Tiếp tục", "proposals": "",
          "tasks": [{"task": "7.2.b", "status": "in_progress", "percent": 80, "results": "…",
                     "difficulties": "…", "proposals": "…"}],
          "observed_at": "2019-06-14T20:00:00+07:00"}
save = dict(submit, seq=10, id="9c1d3e4f-0000-4000-8000-00000000000a", kind="report.save", scope="consolidated", period="Q2-2019")
review = {"seq": 11, "id": "9c1d3e4f-0000-4000-8000-00000000000b", "kind": "report.review",
          "plan": "215/KH-UBND", "period": "Y-2019", "agency": "bdbp", "version": 57,
          "decision": "return", "comment": "Bổ sung số liệu", "observed_at": "2019-12-01T00:00:00-05:00"}
bad = {"seq": 12, "id": "not-a-uuid", "kind": "progress.record", "task": "x", "status": "?",
       "observed_at": "yesterday", "percent": 101}
client = "0b5e0000-0000-4000-8000-000000000001"
for name, mutations in [("progress", [progress]), ("v1", [v1]), ("reports", [submit, save, review]),
                        ("mixed", [progress, bad, review, v1]), ("empty", [])]:
    write("push_body", name + ".json", json.dumps(
        {"client_id": client, "schema_version": 2, "mutations": mutations}, ensure_ascii=False))

for name, body in [("demo", {"username": "vhttdl", "password": "tiendo2019"}),
                   ("spaces", {"username": "  Vhttdl.LanhDao ", "password": ""}),
                   ("unicode", {"username": "Nguyễn İstanbul ǅ", "password": "mật khẩu"})]:
    write("login_body", name + ".json", json.dumps(body, ensure_ascii=False))
