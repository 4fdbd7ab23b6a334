#!/usr/bin/python3
"""Measures the contenders side by side against the loopback server that
bench/run.sh has started, prints the tables and writes bench/RESULTS.md.

Instructions come from callgrind (one run per contender and set-up).  CPU and
wall time are medians over --runs runs, taken with os.wait4 on direct
children.  Peak RSS comes from /usr/bin/time: a child forked from this Python
process would report this process's own RSS as its peak.
"""
import argparse
import collections
import concurrent.futures
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"
IID = "st-bench-0001"
ACCOUNT = "acct-bench-0001"
CAMPAIGN = "cmp-active"
CLIENT_ID = "cs-bench-0001"
SECRET = "bench-secret-0123456789abcdef"
CHECK_CURL = "/usr/lib/nagios/plugins/check_curl"
SIZES = [200, 10 * 1024, 100 * 1024, 512 * 1024, 1024 * 1024]
OVERSIZE = [1024 * 1024 + 1, 4 * 1024 * 1024]
BASE_ENV = {"PATH": "/usr/bin:/bin"}
SECRET_ENV = dict(BASE_ENV, KORE_CLIENT_SECRET=SECRET)
START_LOAD = "%.2f %.2f %.2f" % os.getloadavg()
SETUPS = ("cafile", "system")

Contender = collections.namedtuple("Contender", "setup key label argv env marker trust")


def api_path(campaign):
    return "/agentassist/api/v1/public/%s/campaign/%s/status?view=status" % (IID, campaign)


def plugin_argv(a, campaign, trust_args):
    return [a.plugin, "-H", HOST, "-p", str(a.port), "-i", IID, "-a", ACCOUNT,
            "-C", campaign, "--client-id", CLIENT_ID, "-t", "120"] + trust_args


def check_curl_ca_option():
    out = subprocess.run([CHECK_CURL, "--help"], capture_output=True, text=True,
                         env=BASE_ENV).stdout
    return "--ca-cert" in out


def contenders(a, token):
    url = "https://%s:%d%s" % (HOST, a.port, api_path(CAMPAIGN))
    headers = [("auth", token), ("iid", IID), ("accountId", ACCOUNT),
               ("Content-Type", "application/json"), ("Accept", "application/json")]
    ca_opt = check_curl_ca_option()
    trust = {
        "cafile": {"file": a.ca, "plugin": ["--cacert", a.ca], "plugin_desc": "--cacert ca.pem",
                   "floor": ("cainfo", a.ca), "floor_desc": "CAINFO ca.pem"},
        "system": {"file": a.bundle, "plugin": ["--capath", a.store],
                   "plugin_desc": "--capath hashed store (the default's code path)",
                   "floor": ("capath", a.store), "floor_desc": "CAPATH hashed store, no CAINFO"},
    }
    out = []
    for setup in SETUPS:
        t = trust[setup]
        f = t["file"]
        fdesc = "ca.pem" if setup == "cafile" else "bundle (system bundle + test CA)"
        if a.plugin:
            out.append(Contender(setup, "plugin", "check_kore_campaign",
                                 plugin_argv(a, CAMPAIGN, t["plugin"]), SECRET_ENV,
                                 "CAMPAIGN OK", t["plugin_desc"]))
        curl = ["/usr/bin/curl", "-q", "-sS", "-f", "--max-time", "120", "--cacert", f]
        for name, value in headers:
            curl += ["-H", "%s: %s" % (name, value)]
        out.append(Contender(setup, "curl", "curl CLI", curl + ["--data", "{}", url],
                             BASE_ENV, '"Active"', "--cacert " + fdesc))
        cc = [CHECK_CURL, "-H", HOST, "-p", str(a.port), "-S", "-u", api_path(CAMPAIGN),
              "-j", "POST", "-P", "{}", "-T", "application/json", "-s", '"status":"Active"',
              "-t", "120"]
        for name, value in headers:
            if name != "Content-Type":
                cc += ["-k", "%s: %s" % (name, value)]
        cc_desc = "--ca-cert %s -D" % fdesc if ca_opt else "no --ca-cert option: unverified"
        cc += ["--ca-cert", f, "-D"] if ca_opt else []
        out.append(Contender(setup, "check_curl", "check_curl", cc, BASE_ENV, "HTTP OK", cc_desc))
        py = ["/usr/bin/python3", os.path.join(a.srcdir, "bench", "contender.py"), "-H", HOST,
              "-p", str(a.port), "-i", IID, "-a", ACCOUNT, "-C", CAMPAIGN,
              "--client-id", CLIENT_ID, "--cafile", f]
        out.append(Contender(setup, "python", "Python stdlib script", py, SECRET_ENV,
                             "CAMPAIGN OK", "default context, cafile " + fdesc))
        mode, path = t["floor"]
        out.append(Contender(setup, "floor", "libcurl floor",
                             [a.floor, url, mode, path, token, IID, ACCOUNT],
                             BASE_ENV, '"Active"', t["floor_desc"]))
        if setup == "system":
            # References: what the bundle and curl_version() would cost.
            if a.plugin:
                out.append(Contender(setup, "plugin_bundle", "check_kore_campaign, bundle",
                                     plugin_argv(a, CAMPAIGN, ["--cacert", a.bundle]),
                                     SECRET_ENV, "CAMPAIGN OK",
                                     "--cacert bundle: libcurl's default trust (reference)"))
            out.append(Contender(setup, "floor_bundle", "libcurl floor, bundle",
                                 [a.floor, url, "cainfo", a.bundle, token, IID, ACCOUNT],
                                 BASE_ENV, '"Active"', "CAINFO bundle (reference)"))
            out.append(Contender(setup, "floor_version", "libcurl floor + curl_version()",
                                 [a.floor + "-version", url, mode, path, token, IID, ACCOUNT],
                                 BASE_ENV, '"Active"', t["floor_desc"] + " (reference)"))
    return out


def run_checked(c):
    p = subprocess.run(c.argv, env=c.env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0 or c.marker not in p.stdout:
        sys.exit("bench: %s (%s) did not get its answer: exit %d\n  cmd: %s\n  stdout: %s\n"
                 "  stderr: %s" % (c.label, c.setup, p.returncode, " ".join(c.argv),
                                   p.stdout.strip()[:400], p.stderr.strip()[:400]))
    return p.stdout.splitlines()[0] if p.stdout else ""


def callgrind(argv, env, outfile):
    cmd = ["/usr/bin/valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=" + outfile] + argv
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    total = None
    with open(outfile) as fh:
        for line in fh:
            if line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
    return total, p.returncode, (p.stdout.splitlines() or [""])[0]


def run_timed(c):
    start = time.perf_counter()
    proc = subprocess.Popen(c.argv, env=c.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0:
        sys.exit("bench: %s (%s) failed during timing (exit %d)" % (c.label, c.setup,
                                                                     proc.returncode))
    return (ru.ru_utime + ru.ru_stime) * 1000.0, wall * 1000.0


def peak_rss_kib(argv, env, tmp):
    out = os.path.join(tmp, "rss.txt")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + argv, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    with open(out) as fh:
        return int(fh.read().split()[-1])


def self_cost_by_object(outfile):
    """Self Ir per shared object, read from a callgrind output file."""
    names, cost = {}, collections.Counter()
    ob, skip = "?", False
    for line in open(outfile):
        if skip:
            skip = False
            continue
        if line.startswith(("ob=", "cob=")):
            # A compressed name is defined once, in whichever of the two comes first.
            key, _, rest = line.rstrip("\n").partition("=")
            m = re.match(r"\((\d+)\)(?: (.*))?$", rest)
            if m and m.group(2):
                names[m.group(1)] = m.group(2)
            if key == "ob":
                ob = names.get(m.group(1), "?") if m else rest.strip()
        elif line.startswith("calls="):
            skip = True
        elif line[:1].isdigit() or line[:1] in "+-*":
            parts = line.split()
            if len(parts) >= 2:
                cost[os.path.basename(ob)] += int(parts[1])
    return cost


def annotate(outfile, inclusive, n=15):
    p = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"),
                        "--auto=no", "--threshold=100", outfile],
                       capture_output=True, text=True)
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            # "file:function [/path/object]" -> "function [object]"
            f = re.match(r"(?:.*?:)?([^:\[]+?)\s*(?:\[(.*)\])?$", m.group(3))
            name = f.group(1) if f else m.group(3)
            if f and f.group(2):
                name += " [%s]" % os.path.basename(f.group(2))
            rows.append((int(m.group(1).replace(",", "")), m.group(2), name))
    return rows[:n]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              env=BASE_ENV).stdout.strip()
    except OSError:
        return ""


def machine():
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip()
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    pkgs = ["libcurl4", "libssl3", "libjson-c5", "libjwt0", "libinih1", "curl", "nginx",
            "nginx-light", "monitoring-plugins-standard", "liburiparser1", "valgrind", "python3"]
    vers = []
    for p in pkgs:
        v = sh("dpkg-query -W -f='${Version}' %s 2>/dev/null" % p)
        if v:
            vers.append("%s %s" % (p, v))
    return [("CPUs (nproc)", str(os.cpu_count())), ("CPU model", cpu or platform.processor()),
            ("memory", mem), ("Debian", sh("cat /etc/debian_version")),
            ("kernel", platform.release()),
            ("load average (1/5/15 min) at start / end of the run",
             "%s / %s" % (START_LOAD, "%.2f %.2f %.2f" % os.getloadavg())),
            ("packages", ", ".join(vers))]


def fmt_ratio(x, base):
    if x is None or not base:
        return "-"
    return "%.2fx" % (x / base)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("work", "plugin", "floor", "ca", "store", "bundle", "srcdir", "results"):
        ap.add_argument("--" + opt, default="")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    cgdir = os.path.join(a.work, "callgrind")
    os.makedirs(cgdir, exist_ok=True)

    token = subprocess.run(["/usr/bin/python3", os.path.join(a.srcdir, "bench", "contender.py"),
                            "--print-token", "--client-id", CLIENT_ID], env=SECRET_ENV,
                           capture_output=True, text=True, check=True).stdout.strip()
    cs = contenders(a, token)

    print("== checking that every contender gets its answer")
    for c in cs:
        print("  %-7s %-22s %s" % (c.setup, c.label, run_checked(c)[:90]))

    print("== instructions (callgrind, one run each, 2 in parallel)")
    ir = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {pool.submit(callgrind, c.argv, c.env,
                            os.path.join(cgdir, "%s-%s.out" % (c.setup, c.key))): c for c in cs}
        for job in concurrent.futures.as_completed(jobs):
            c = jobs[job]
            total, rc, line = job.result()
            if rc != 0:
                sys.exit("bench: %s (%s) failed under callgrind: exit %d: %s"
                         % (c.label, c.setup, rc, line))
            ir[(c.setup, c.key)] = total
            print("  %-7s %-22s %8.1f M" % (c.setup, c.label, total / 1e6))

    growth = measure_growth(a, token, cgdir)

    print("== timing: %d runs each, interleaved" % a.runs)
    cpu, wall = collections.defaultdict(list), collections.defaultdict(list)
    for r in range(a.runs):
        for c in cs[r % len(cs):] + cs[:r % len(cs)]:
            u, w = run_timed(c)
            cpu[(c.setup, c.key)].append(u)
            wall[(c.setup, c.key)].append(w)
    print("== peak RSS: %d runs each under /usr/bin/time, interleaved" % a.runs)
    rss = collections.defaultdict(list)
    for r in range(a.runs):
        for c in cs[r % len(cs):] + cs[:r % len(cs)]:
            rss[(c.setup, c.key)].append(peak_rss_kib(c.argv, c.env, a.work))

    rows = []
    for c in cs:
        k = (c.setup, c.key)
        rows.append((c, ir[k], statistics.median(cpu[k]), statistics.median(wall[k]),
                     statistics.median(rss[k]), max(rss[k])))
    report(a, rows, growth, cgdir)


def measure_growth(a, token, cgdir):
    """Callgrind Ir of the plugin (and of the floor, for reference) per body size."""
    print("== response-size growth (system set-up)")
    growth = []
    for size in SIZES + OVERSIZE:
        campaign = "size-%d" % size
        url = "https://%s:%d%s" % (HOST, a.port, api_path(campaign))
        floor = [a.floor, url, "capath", a.store, token, IID, ACCOUNT]
        f_ir, f_rc, _ = callgrind(floor, BASE_ENV, os.path.join(cgdir, "floor-%s.out" % campaign))
        row = {"size": size, "floor": f_ir if f_rc == 0 else None}
        if a.plugin:
            argv = plugin_argv(a, campaign, ["--capath", a.store])
            ir, rc, line = callgrind(argv, SECRET_ENV, os.path.join(cgdir, "%s.out" % campaign))
            row.update(ir=ir, rc=rc, line=line, rss=peak_rss_kib(argv, SECRET_ENV, a.work),
                       ok=rc == 0 if size in SIZES else rc == 2 and "invalid response" in line)
            print("  %8d B  plugin %8.1f M Ir  exit %d  %5.1f MiB  %s" % (
                size, ir / 1e6, rc, row["rss"] / 1024, line[:60]))
        print("  %8d B  floor  %8.1f M Ir" % (size, (f_ir or 0) / 1e6))
        growth.append(row)
    return growth


def table(rows):
    base = {r[0].setup: r for r in rows if r[0].key == "plugin"}
    lines = ["| set-up | contender | trust | instructions | x | CPU ms | x | wall ms | x "
             "| peak RSS | x | peak RSS max |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c, ir, cpu, wall, rss, rss_max in rows:
        b = base.get(c.setup)
        lines.append("| %s | %s | %s | %.1f M | %s | %.1f | %s | %.1f | %s | %.2f MiB | %s "
                     "| %.2f MiB |" % (
                         c.setup, c.label, c.trust, ir / 1e6, fmt_ratio(ir, b and b[1]), cpu,
                         fmt_ratio(cpu, b and b[2]), wall, fmt_ratio(wall, b and b[3]),
                         rss / 1024, fmt_ratio(rss, b and b[4]), rss_max / 1024))
    return lines


def targets(rows):
    v = {(r[0].setup, r[0].key): r for r in rows}
    if ("system", "plugin") not in v:
        return ["(check_kore_campaign not measured: no targets evaluated)"]
    checks = []

    def ir_target(setup, other, limit, text):
        mine, theirs = v[(setup, "plugin")][1], v[(setup, other)][1]
        ratio = mine / theirs
        checks.append("| %s | %.3fx (%.1f M / %.1f M) | <= %.2fx | %s |" % (
            text, ratio, mine / 1e6, theirs / 1e6, limit, "PASS" if ratio <= limit else "FAIL"))

    ir_target("system", "check_curl", 0.15, "system store: instructions vs check_curl")
    ir_target("system", "curl", 0.15, "system store: instructions vs curl CLI")
    ir_target("cafile", "curl", 1.10, "1-cert CA file: instructions vs curl CLI")
    ir_target("cafile", "floor", 1.15, "1-cert CA file: instructions vs libcurl floor")
    ir_target("system", "floor", 1.15, "system store: instructions vs libcurl floor (CAPATH)")
    for setup in SETUPS:
        mine, theirs = v[(setup, "plugin")][4], v[(setup, "curl")][4]
        checks.append("| %s: peak RSS (median of runs) vs curl CLI | %.3fx (%d KiB / %d KiB) "
                      "| <= 1.00x | %s |" % (setup, mine / theirs, mine, theirs,
                                             "PASS" if mine <= theirs else "FAIL"))
    return ["| target | measured | limit | result |", "|---|---|---|---|"] + checks


def growth_section(growth):
    have_plugin = "ir" in growth[0]
    base = growth[0]
    lines = ["| body | check_kore_campaign Ir | extra over 200 B | Ir per extra byte | exit "
             "| peak RSS | floor Ir | floor Ir per extra byte | plugin output |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    slopes = []
    for g in growth:
        span = g["size"] - base["size"]
        fper = "%.1f" % ((g["floor"] - base["floor"]) / span) if span and g["floor"] else "-"
        fir = "%.2f M" % (g["floor"] / 1e6) if g["floor"] else "-"
        if not have_plugin:
            lines.append("| %d B | - | - | - | - | - | %s | %s | - |" % (g["size"], fir, fper))
            continue
        extra = g["ir"] - base["ir"]
        per = extra / span if span else None
        if g["size"] in SIZES and g["size"] >= 100 * 1024:
            slopes.append(per)
        lines.append("| %d B | %.2f M | %.2f M | %s | %d | %.1f MiB | %s | %s | %s |" % (
            g["size"], g["ir"] / 1e6, extra / 1e6, "%.1f" % per if per is not None else "-",
            g["rc"], g["rss"] / 1024, fir, fper, g["line"].replace("|", "/")[:70]))
    if not have_plugin:
        return lines + ["", "(check_kore_campaign not measured)"]
    accepted = [g for g in growth if g["size"] in SIZES]
    rejected = [g for g in growth if g["size"] not in SIZES]
    top = max(g["ir"] for g in accepted)
    linear = bool(slopes) and max(slopes) <= 1.25 * min(slopes)
    bounded = all(g["ok"] for g in growth) and all(g["ir"] <= 1.10 * top for g in rejected)
    lines += ["",
              "- linear: Ir per extra byte at 100 KiB, 512 KiB and 1 MiB within 25%% of each "
              "other (%s): %s" % (", ".join("%.1f" % s for s in slopes),
                                  "PASS" if linear else "FAIL"),
              "- bounded: every body up to 1 MiB answered OK, every larger body refused as an "
              "invalid response (CRITICAL), at "
              "no more than 1.10x the instructions of the 1 MiB body: %s"
              % ("PASS" if bounded else "FAIL")]
    return lines


def profile_section(cgdir, name):
    out = os.path.join(cgdir, name)
    if not os.path.exists(out):
        return ["(no profile)"]
    lines = ["Self instructions by shared object:", "",
             "| object | instructions | share |", "|---|---:|---:|"]
    cost = self_cost_by_object(out)
    total = sum(cost.values()) or 1
    for ob, n in cost.most_common(10):
        lines.append("| %s | %.2f M | %.1f%% |" % (ob, n / 1e6, 100.0 * n / total))
    for inclusive in (False, True):
        lines += ["", "Top 15 functions, %s (callgrind_annotate --inclusive=%s):" % (
            "inclusive" if inclusive else "self", "yes" if inclusive else "no"), "", "```"]
        for n, pct, fn in annotate(out, inclusive):
            lines.append("%12s %6s%%  %s" % ("{:,}".format(n), pct, fn[:110]))
        lines.append("```")
    return lines


def report(a, rows, growth, cgdir):
    main_table = table(rows)
    target_lines = targets(rows)
    growth_lines = growth_section(growth)
    print()
    print("\n".join(main_table))
    print()
    print("\n".join(target_lines))
    print()
    print("\n".join(growth_lines))
    if not a.results:
        return
    keep = []
    if os.path.exists(a.results):
        text = open(a.results).read().splitlines()
        for i, line in enumerate(text):
            if line.startswith("## Optimisation history"):
                keep = text[i:]
                break
    md = ["# Benchmark results", "",
          "Written by `bench/run.sh` (`make bench`, `./quickstart.sh bench`) on %s; "
          "everything above \"Optimisation history\" is regenerated on each run."
          % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "",
          "Every contender sends the same POST (headers `auth`, `iid`, `accountId`, "
          "`Content-Type`, `Accept`, body `{}`) to nginx on 127.0.0.1 over TLS and gets "
          "the campaign JSON back; each was checked to get its 200/OK before being measured. "
          "Instructions: valgrind callgrind, one run, whole process (dynamic loading "
          "included). CPU ms (user+sys) and wall ms: medians over %d interleaved runs. "
          "Peak RSS: `/usr/bin/time -f %%M` of each of %d further runs, median and maximum "
          "(address-space randomisation moves a single run's peak by about +-250 KiB, so "
          "the RSS target is judged on the median). `x` = ratio to check_kore_campaign in "
          "the same set-up." % (a.runs, a.runs), "",
          "## Machine", ""]
    md += ["- %s: %s" % kv for kv in machine()]
    md += ["", "## Contenders", ""] + main_table
    md += ["", "Trust set-ups: `cafile` = a CA file holding only the test CA; `system` = a copy "
           "of the system store with the test CA added, as a hashed directory made by "
           "`openssl rehash` (check_kore_campaign's default lookup, the floor) and as a "
           "bundle file = `/etc/ssl/certs/ca-certificates.crt` + test CA (curl CLI, "
           "check_curl, Python, as each reads the system store in production).",
           "", "## Targets (issue 5)", ""] + target_lines
    md += ["", "## Response-size growth", "",
           "check_kore_campaign against bodies of the given size (campaign name padded, "
           "valid JSON), system set-up; larger than 1 MiB must be refused.", ""] + growth_lines
    md += ["", "## Profile: check_kore_campaign, system store (hashed directory)", ""]
    md += profile_section(cgdir, "system-plugin.out")
    md += ["", "## Profile: check_kore_campaign reading the bundle instead (the cost avoided)",
           ""]
    md += profile_section(cgdir, "system-plugin_bundle.out")
    md += ["", "## Profile: libcurl floor, system store (CAPATH)", ""]
    md += profile_section(cgdir, "system-floor.out")
    md += [""]
    if keep:
        md += keep
    with open(a.results, "w") as fh:
        fh.write("\n".join(md).rstrip("\n") + "\n")
    print("\nwrote %s" % a.results)


if __name__ == "__main__":
    main()
