#!/usr/bin/python3
"""Translations are complete: assets/po/roomsign.pot holds every string the sources mark with
_() or N_() (re-extracted with xgettext), and da.po and de.po translate every one of them
(non-empty, not fuzzy, format directives matching: msgfmt --check).

  i18n_complete.py SOURCE_DIR LANG..."""
import glob
import os
import re
import subprocess
import sys
import tempfile


def entries(path):
    """msgid -> (msgstr, fuzzy) for every entry but the header."""
    text = open(path, encoding="utf-8").read()
    out = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [l for l in block.strip().split("\n") if l and not l.startswith("#~")]
        fuzzy = any(l.startswith("#,") and "fuzzy" in l for l in lines)
        field, parts = None, {"msgid": [], "msgstr": []}
        for line in lines:
            m = re.match(r'^(msgid|msgstr|msgctxt|msgid_plural|msgstr\[\d+\])\s+"(.*)"$', line)
            if m:
                field = m.group(1) if m.group(1) in parts else None
                if field:
                    parts[field].append(m.group(2))
            elif line.startswith('"') and field:
                parts[field].append(line[1:-1])
        msgid = "".join(parts["msgid"])
        if msgid:
            out[msgid] = ("".join(parts["msgstr"]), fuzzy)
    return out


def main():
    src, langs = sys.argv[1], sys.argv[2:]
    po_dir = os.path.join(src, "assets", "po")
    pot = entries(os.path.join(po_dir, "roomsign.pot"))
    problems = []
    sources = sorted(os.path.relpath(p, src) for p in glob.glob(os.path.join(src, "app", "**", "*.c"), recursive=True))
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "fresh.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C", "--keyword=_", "--keyword=N_",
                        "-o", fresh] + sources, cwd=src, check=True)
        current = entries(fresh)
    for msgid in sorted(set(current) - set(pot)):
        problems.append("roomsign.pot lacks %r (run: ninja roomsign-pot, then msgmerge)" % msgid)
    for msgid in sorted(set(pot) - set(current)):
        problems.append("roomsign.pot still has %r, which no source uses any more" % msgid)
    for lang in langs:
        path = os.path.join(po_dir, lang + ".po")
        po = entries(path)
        for msgid in current:
            msgstr, fuzzy = po.get(msgid, ("", False))
            if not msgstr:
                problems.append("%s.po: no translation for %r" % (lang, msgid))
            elif fuzzy:
                problems.append("%s.po: fuzzy translation for %r" % (lang, msgid))
        check = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, path],
                               capture_output=True, text=True)
        print("%s: %s" % (lang, check.stderr.strip()))
        if check.returncode != 0:
            problems.append("%s.po: msgfmt --check failed:\n%s" % (lang, check.stderr))
        elif "untranslated" in check.stderr or "fuzzy" in check.stderr:
            problems.append("%s.po: %s" % (lang, check.stderr.strip()))
    for p in problems:
        print("FAIL " + p)
    print("%d strings, %s: %s" % (len(current), ", ".join(langs), "complete" if not problems else "INCOMPLETE"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
