#!/usr/bin/env python3
"""Bad-config table (issue 9): every broken configuration makes `roomsign check --config F`
exit non-zero with a message naming the file, the line and the [section] key, in the form
    F:LINE: [section] key: what is wrong
(without a line only where the file has no line to point at: a missing section).

Usage: bad_config.py ROOMSIGN [CASE...]     (no case: all; `list` prints the case names)
Each case writes its config (and secret files) into a fresh temporary directory."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

EWS = ["[room]", "name = Fjord", "[source]", "type = ews",
       "url = https://mail.example.com/EWS/Exchange.asmx", "mailbox = room@example.com",
       "username = EXAMPLE\\svc", "password_file = {dir}/secret"]
SECRET = {"secret": ("hunter2-do-not-print\n", 0o600)}


def case(name, lines, section, key, line, message, files=None, as_user=None):
    return dict(name=name, lines=lines, section=section, key=key, line=line, message=message,
                files=files or {}, as_user=as_user)


def with_line(base, index, text):
    """base with line `index` (1-based) replaced by text."""
    out = list(base)
    out[index - 1] = text
    return out


CASES = [
    # missing keys
    case("missing_room_name", ["[room]", "timezone = UTC", "[source]", "type = demo"],
         "room", "name", 1, r"missing"),
    case("missing_room_section", ["[source]", "type = demo"], "room", "name", None, r"missing"),
    case("missing_url", [l for l in EWS if not l.startswith("url")], "source", "url", 4, r"missing"),
    case("missing_mailbox", [l for l in EWS if not l.startswith("mailbox")], "source", "mailbox", 4,
         r"missing.*SMTP"),
    case("missing_password_file", EWS[:-1], "source", "password_file", 4, r"missing"),
    case("missing_graph_client_id", ["[room]", "name = R", "[source]", "type = graph",
                                     "mailbox = r@example.com", "tenant = example.com",
                                     "client_secret_file = {dir}/secret"],
         "source", "client_id", 4, r"missing", files=SECRET),
    case("missing_graph_secret", ["[room]", "name = R", "[source]", "type = graph",
                                  "mailbox = r@example.com", "tenant = example.com", "client_id = abc"],
         "source", "client_secret_file", 4, r"missing"),
    # wrong types and ranges
    case("refresh_not_a_number", EWS + ["refresh = often"], "source", "refresh", 9,
         r"'often' is not a whole number", files=SECRET),
    case("refresh_too_small", EWS + ["refresh = 1"], "source", "refresh", 9, r"from 10 to", files=SECRET),
    case("timeout_float", EWS + ["timeout = 2.5"], "source", "timeout", 9, r"whole number", files=SECRET),
    case("bool_not_yes_no", EWS + ["[booking]", "enabled = maybe"], "booking", "enabled", 10,
         r"'maybe' is not yes or no", files=SECRET),
    case("bad_choice_subject", ["[room]", "name = R", "subject = everything"], "room", "subject", 3,
         r"not one of show\|organizer\|hide"),
    case("bad_language", ["[room]", "name = R", "language = fr"], "room", "language", 3, r"'fr'"),
    case("bad_auth", EWS + ["auth = kerberos"], "source", "auth", 9, r"'kerberos'", files=SECRET),
    case("bad_rotate", ["[room]", "name = R", "[display]", "rotate = 45"], "display", "rotate", 4,
         r"0, 90, 180, 270"),
    case("bad_night", ["[room]", "name = R", "[display]", "night = 7pm-7am"], "display", "night", 4,
         r"19:00-07:00"),
    case("bad_led_line", ["[room]", "name = R", "[led]", "red = seventeen"], "led", "red", 4,
         r"whole number"),
    # duration lists
    case("durations_word", ["[room]", "name = R", "[booking]", "durations = 15,thirty,45"],
         "booking", "durations", 4, r"'thirty'"),
    case("durations_empty", ["[room]", "name = R", "[booking]", "durations = ,"],
         "booking", "durations", 4, r"at least one"),
    case("durations_too_long", ["[room]", "name = R", "[booking]", "durations = 15,600"],
         "booking", "durations", 4, r"'600'.*5 to 480"),
    case("durations_too_many", ["[room]", "name = R", "[booking]",
                                "durations = 5,10,15,20,25,30,35,40,45"],
         "booking", "durations", 4, r"at most"),
    # secrets
    case("secret_missing_file", EWS, "source", "password_file", 8, r"cannot read .*secret"),
    case("secret_is_directory", EWS, "source", "password_file", 8, r"not a (regular )?file",
         files={"secret/": (None, 0o700)}),
    case("secret_world_readable", EWS, "source", "password_file", 8, r"readable by every user.*chmod 600",
         files={"secret": ("hunter2-do-not-print\n", 0o644)}),
    case("secret_empty", EWS, "source", "password_file", 8, r"is empty", files={"secret": ("\n", 0o600)}),
    case("secret_unreadable", EWS, "source", "password_file", 8, r"cannot read .*[Pp]ermission denied",
         files={"secret": ("hunter2-do-not-print\n", 0o000)}, as_user="nobody"),
    # sources, URLs, zones, unknown names
    case("unknown_source", ["[room]", "name = R", "[source]", "type = exchange"], "source", "type", 4,
         r"'exchange' is not one of demo\|ics\|ews\|graph\|caldav"),
    case("bad_url_no_scheme", with_line(EWS, 5, "url = mail.example.com/EWS/Exchange.asmx"), "source",
         "url", 5, r"not an http:// or https:// URL", files=SECRET),
    case("bad_url_no_host", with_line(EWS, 5, "url = https:///EWS/Exchange.asmx"), "source", "url", 5,
         r"not an http", files=SECRET),
    case("bad_url_ics_ftp", ["[room]", "name = R", "[source]", "type = ics", "url = ftp://x/cal.ics"],
         "source", "url", 5, r"not a path, file:// or http"),
    case("bad_graph_authority", ["[room]", "name = R", "[source]", "type = graph", "mailbox = r@example.com",
                                 "tenant = t", "client_id = c", "client_secret_file = {dir}/secret",
                                 "authority = login.microsoftonline.com"],
         "source", "authority", 9, r"not an https:// URL", files=SECRET),
    # credentials over plain http:// (issue 12): refused unless allow_insecure_http = yes
    case("http_ews_with_password", with_line(EWS, 5, "url = http://mail.example.com/EWS/Exchange.asmx"),
         "source", "url", 5, r"plain http://.*unencrypted.*allow_insecure_http = yes", files=SECRET),
    case("http_caldav_with_password", ["[room]", "name = R", "[source]", "type = caldav",
                                       "url = http://dav.example.com/", "username = u",
                                       "password_file = {dir}/secret"],
         "source", "url", 5, r"plain http://.*allow_insecure_http", files=SECRET),
    case("http_ics_with_password", ["[room]", "name = R", "[source]", "type = ics",
                                    "url = http://cal.example.com/room.ics", "username = u",
                                    "password_file = {dir}/secret"],
         "source", "url", 5, r"plain http://", files=SECRET),
    case("http_graph_authority", ["[room]", "name = R", "[source]", "type = graph", "mailbox = r@example.com",
                                  "tenant = t", "client_id = c", "client_secret_file = {dir}/secret",
                                  "authority = http://login.example.com"],
         "source", "authority", 9, r"plain http://.*client secret", files=SECRET),
    case("http_graph_url", ["[room]", "name = R", "[source]", "type = graph", "mailbox = r@example.com",
                            "tenant = t", "client_id = c", "client_secret_file = {dir}/secret",
                            "graph_url = http://graph.example.com/"],
         "source", "graph_url", 9, r"plain http://.*access token", files=SECRET),
    case("graph_private_key_readable", ["[room]", "name = R", "[source]", "type = graph",
                                        "mailbox = r@example.com", "tenant = t", "client_id = c",
                                        "certificate_file = {dir}/cert.pem", "private_key_file = {dir}/key.pem"],
         "source", "private_key_file", 9, r"readable by every user.*chmod 600",
         files={"cert.pem": ("-----BEGIN CERTIFICATE-----\n", 0o644),
                "key.pem": ("-----BEGIN PRIVATE KEY-----\n", 0o644)}),
    case("auth_retry_too_often", EWS + ["auth_retry = 60"], "source", "auth_retry", 9, r"from 900 to",
         files=SECRET),
    case("bad_zone", ["[room]", "name = R", "timezone = Europe/Copenhagn"], "room", "timezone", 3,
         r"unknown time zone 'Europe/Copenhagn'"),
    case("bad_zone_path", ["[room]", "name = R", "timezone = ../../etc/passwd"], "room", "timezone", 3,
         r"unknown time zone"),
    case("unknown_key", ["[room]", "name = R", "colour = red"], "room", "colour", 3, r"unknown key"),
    case("unknown_key_typo", EWS + ["passwordfile = /x"], "source", "passwordfile", 9, r"unknown key",
         files=SECRET),
    case("unknown_section", ["[room]", "name = R", "[rooom]", "name = R"], "rooom", "name", 4,
         r"unknown section"),
    case("not_key_value", ["[room]", "name = R", "this is not a setting"], None, None, 3,
         r"not 'key = value'"),
]


def write_case(c, d):
    path = os.path.join(d, "roomsign.conf")
    with open(path, "w") as f:
        f.write("\n".join(l.format(dir=d) for l in c["lines"]) + "\n")
    for name, (content, mode) in c["files"].items():
        p = os.path.join(d, name.rstrip("/"))
        if name.endswith("/"):
            os.mkdir(p, mode)
        else:
            with open(p, "w") as f:
                f.write(content)
            os.chmod(p, mode)
    return path


def run_case(roomsign, c):
    d = tempfile.mkdtemp(prefix="roomsign-badconf-")
    try:
        os.chmod(d, 0o755)
        path = write_case(c, d)
        os.chmod(path, 0o644)
        cmd = [roomsign, "check", "--config", path]
        if c["as_user"]:
            if os.geteuid() != 0:
                # Not root: an unreadable file is unreadable to us already.
                pass
            elif shutil.which("setpriv"):
                # Root reads a 0000 file: the case runs as an unprivileged user instead.
                cmd = ["setpriv", "--reuid", c["as_user"], "--regid", "nogroup", "--clear-groups"] + cmd
            elif shutil.which("runuser"):
                cmd = ["runuser", "-u", c["as_user"], "--"] + cmd
            elif os.environ.get("CI") == "true":   # under CI a missing tool fails, never skips
                return "FAIL", "needs setpriv or runuser (util-linux) to drop root"
            else:
                return "skip", "needs setpriv or runuser (util-linux) to drop root"
        env = dict(os.environ, ROOMSIGN_STATE_DIR=d, LC_ALL="C.UTF-8")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env)
        out = p.stdout + p.stderr
        problems = []
        if p.returncode == 0:
            problems.append("exit status 0")
        if p.returncode < 0 or p.returncode > 3:
            problems.append(f"exit status {p.returncode} (crash?)")
        where = re.escape(path)
        where += f":{c['line']}: " if c["line"] else ": "
        if c["key"]:
            where += re.escape(f"[{c['section']}] {c['key']}: ")
        pattern = "^" + where + ".*" + c["message"]
        if not re.search(pattern, p.stderr, re.M):
            problems.append(f"no line matching {pattern!r}")
        if "hunter2" in out:
            problems.append("the secret was printed")
        lines = [l for l in p.stderr.splitlines() if l.startswith(path)]
        return ("FAIL" if problems else "ok"), ("; ".join(problems) + "\n" + out if problems else
                                                 (lines[0] if lines else ""))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "list":
        print("\n".join(c["name"] for c in CASES))
        return 0
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    roomsign, wanted = sys.argv[1], set(sys.argv[2:])
    failed = skipped = 0
    for c in CASES:
        if wanted and c["name"] not in wanted:
            continue
        status, detail = run_case(roomsign, c)
        failed += status == "FAIL"
        skipped += status == "skip"
        print(f"{status:4}  {c['name']:26} {detail}")
    print(f"{failed} of {len(wanted) or len(CASES)} cases failed, {skipped} skipped")
    # A skipped case shows as a skipped test in ctest (SKIP_RETURN_CODE 77), not as a pass.
    return 1 if failed else 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
