#!/usr/bin/env python3
"""The layers of app/ point one way (issue 13): core <- net <- calendar <- ui <- the program.

Every `#include "..."` in app/ is resolved and its layer checked against the table below; core
includes no SDL, curl, libxml2 or cJSON header. An include that points the wrong way fails
this test with the file, the line and the rule it breaks.

  layering.py SOURCE_DIR          check the tree
  layering.py --self-test         the checker finds a planted backward include
"""
import os
import re
import sys
import tempfile

# What each layer may include besides itself. "config" is app/config.h: the parsed
# configuration is plain data the backends and the view read.
ALLOWED = {
    "core": set(),
    "net": {"core"},
    "calendar": {"core", "net", "config"},
    "ui": {"core", "calendar", "config"},
    "config": {"core", "net", "ui"},      # config.c validates colours and QR URLs with ui's rules
    "app": {"core", "net", "calendar", "ui", "config", "platform"},
}
CORE_FORBIDDEN = re.compile(r"#include <(SDL2?/|SDL\.h|curl/|libxml/|cjson/)")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(app, path):
    rel = os.path.relpath(path, app)
    if rel.startswith(".."):
        return "platform" if "platform" in path.split(os.sep) else "outside"
    first = rel.split(os.sep)[0]
    if first in ("core", "net", "calendar", "ui"):
        return first
    return "config" if first in ("config.c", "config.h") else "app"


def check(src):
    app = os.path.join(src, "app")
    platform = os.path.join(src, "platform")
    problems = []
    for d, _, files in os.walk(app):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(d, f)
            mine = layer_of(app, path)
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
            for n, line in enumerate(lines, 1):
                if mine == "core" and CORE_FORBIDDEN.search(line):
                    problems.append("%s:%d: core includes a library header: %s" % (path, n, line.strip()))
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = None
                for base in (d, app, platform):
                    cand = os.path.normpath(os.path.join(base, m.group(1)))
                    if os.path.exists(cand):
                        target = cand
                        break
                if target is None:
                    continue    # generated headers (build dir)
                theirs = layer_of(app, target)
                if theirs != mine and theirs not in ALLOWED[mine]:
                    problems.append("%s:%d: %s includes %s (%s): %s may include only %s" % (
                        path, n, mine, m.group(1), theirs, mine, ", ".join(sorted(ALLOWED[mine])) or "itself"))
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as t:
        for sub in ("app/core", "app/ui", "platform"):
            os.makedirs(os.path.join(t, sub))
        open(os.path.join(t, "app/ui/view.h"), "w").close()
        with open(os.path.join(t, "app/core/bad.c"), "w") as f:
            f.write('#include "../ui/view.h"\n#include <SDL2/SDL.h>\n')
        found = check(t)
        ok = len(found) == 2 and "core includes ../ui/view.h" in found[1] + found[0]
        print("\n".join(found))
        return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    problems = check(sys.argv[1])
    print("\n".join(problems) if problems else "layering: every include points the right way")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
