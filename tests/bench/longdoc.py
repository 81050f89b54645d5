#!/usr/bin/env python3
"""longdoc.py SAMPLE_EXPORT OUT_EXPORT TARGET_CHARS — the benchmark's long document.

Copies the sample export and adds one document, id "bench-long", whose body is the bodies of
the sample's documents one after another (real government text with its headings, lists and
tables) until it holds about TARGET_CHARS characters. The printing benchmark prints it with
the kiosk and with Chromium, so both get the same text.
"""
import html
import json
import shutil
import sys

src, out, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.copytree(src, out)
docs = []
with open(f"{src}/documents.jsonl", encoding="utf-8") as f:
    for line in f:
        if line.strip() and not line.startswith("//"):
            docs.append(json.loads(line))
docs.sort(key=lambda d: -len(d.get("body_html") or d.get("body_text") or ""))
parts, total = [], 0
while total < target:
    for d in docs:
        if total >= target:
            break
        parts.append(f"<h2>{html.escape(d['title'])}</h2>")
        if d.get("body_html"):
            parts.append(d["body_html"])
            total += len(d["body_html"]) // 2  # markup is about half of it
        else:
            for p in d.get("body_text", "").split("\n"):
                if p.strip():
                    parts.append(f"<p>{html.escape(p.strip())}</p>")
                    total += len(p)
doc = {
    "id": "bench-long",
    "title": "示例县人民政府关于印发《示例县政府信息公开文件汇编（测试用长文件）》的通知",
    "index_no": "11000000MB18300110/2025-09999",
    "doc_no": "示政发〔2025〕99号",
    "publisher": "示例县人民政府",
    "written": "2025-11-01",
    "published": "2025-11-03",
    "topics": ["综合政务"],
    "genre": "通知",
    "series": "其他文件",
    "url": "http://www.example.gov.cn/art/2025/11/3/art_1229_99999.html",
    "body_html": "\n".join(parts),
}
with open(f"{out}/documents.jsonl", "a", encoding="utf-8") as f:
    f.write(json.dumps(doc, ensure_ascii=False) + "\n")
