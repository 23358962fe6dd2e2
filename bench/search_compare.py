#!/usr/bin/env python3
"""The search bench's comparison: each query of QUERIES through Pacte's API (one at a time, over
HTTP: auth, JSON and the index lag included) and through the database's own full text on the same
messages — SQLite FTS5 (unicode61, diacritics removed; no French stemmer exists for it) or
PostgreSQL to_tsvector('french') with a GIN index. Prints p50/p99 of each, their ratio, and how the
numbers of cases found compare. Usage: search_compare.py DB_URL_OR_FILE QUERIES BASE TOKEN"""
import json, re, sqlite3, statistics, subprocess, sys, time, urllib.parse, urllib.request

db, queries_file, base, token = sys.argv[1:5]
queries = [q.strip() for q in open(queries_file, encoding="utf-8") if q.strip()]

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]

def pacte(q):
    url = f"{base}/api/v1/search?kind=case&limit=20&q={urllib.parse.quote(q)}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    t = time.perf_counter()
    body = json.load(urllib.request.urlopen(req))
    return time.perf_counter() - t, body["total"]

words = lambda q: re.findall(r"\w+", q.lower())
ours = [pacte(q) for q in queries]

if db.startswith("postgres"):
    t = time.perf_counter()
    subprocess.run(["psql", db, "-qc", "CREATE INDEX IF NOT EXISTS bench_fts ON interaction USING GIN (to_tsvector('french', body))"], check=True)
    build = time.perf_counter() - t
    script = "\\timing on\n" + "".join(
        "SELECT COUNT(DISTINCT case_id) FROM interaction WHERE to_tsvector('french', body) @@ plainto_tsquery('french', '%s');\n"
        "SELECT case_id FROM interaction WHERE to_tsvector('french', body) @@ plainto_tsquery('french', '%s') "
        "ORDER BY ts_rank(to_tsvector('french', body), plainto_tsquery('french', '%s')) DESC LIMIT 20;\n"
        % ((q.replace("'", "''"),) * 3) for q in queries)
    out = subprocess.run(["psql", db, "-At"], input=script, capture_output=True, text=True, check=True).stdout
    times = [float(x) / 1000 for x in re.findall(r"Time: ([\d.]+) ms", out)]
    counts = [int(l) for l in out.splitlines() if re.fullmatch(r"\d+", l)]
    # Each query: the count, then the top 20 (case ids are digits too: take every 21st-ish by order).
    lines = [l for l in out.splitlines() if not l.startswith("Time:")]
    theirs_t = [times[2 * i] + times[2 * i + 1] for i in range(len(queries))]
    theirs_n = []
    it = iter(lines)
    for q in queries:
        theirs_n.append(int(next(it)))
        # skip the top-20 rows of this query
        k = min(20, theirs_n[-1])
        for _ in range(k):
            next(it, None)
    name = "PostgreSQL to_tsvector('french') + GIN"
else:
    c = sqlite3.connect(db)
    t = time.perf_counter()
    c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS bench_fts USING fts5(body, content='interaction', content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    c.execute("INSERT INTO bench_fts(bench_fts) VALUES('rebuild')")
    c.commit()
    build = time.perf_counter() - t
    theirs_t, theirs_n = [], []
    for q in queries:
        m = " ".join('"%s"' % w for w in words(q))
        t = time.perf_counter()
        n = c.execute("SELECT COUNT(DISTINCT i.case_id) FROM bench_fts f JOIN interaction i ON i.id = f.rowid WHERE bench_fts MATCH ?", (m,)).fetchone()[0]
        c.execute("SELECT i.case_id FROM bench_fts f JOIN interaction i ON i.id = f.rowid WHERE bench_fts MATCH ? ORDER BY bm25(bench_fts) LIMIT 20", (m,)).fetchall()
        theirs_t.append(time.perf_counter() - t)
        theirs_n.append(n)
    name = "SQLite FTS5 (unicode61, no stemming)"

ot = [t for t, _ in ours]
print(f"queries: {len(queries)}, one at a time")
print(f"  Pacte (tantivy, HTTP):  p50 {pct(ot, .5) * 1000:7.2f} ms  p99 {pct(ot, .99) * 1000:7.2f} ms")
print(f"  {name}: p50 {pct(theirs_t, .5) * 1000:7.2f} ms  p99 {pct(theirs_t, .99) * 1000:7.2f} ms  (index built in {build:.1f} s)")
print(f"  ratio p99 database / Pacte: {pct(theirs_t, .99) / max(pct(ot, .99), 1e-9):.2f}")
more = sum(1 for (_, a), b in zip(ours, theirs_n) if a > b)
fewer = sum(1 for (_, a), b in zip(ours, theirs_n) if a < b)
print(f"  cases found: Pacte {sum(a for _, a in ours)}, database {sum(theirs_n)}; Pacte finds more on {more} queries, fewer on {fewer}")
for q, (_, a), b in list(zip(queries, ours, theirs_n))[:: max(1, len(queries) // 8)]:
    print(f"    {q!r:40} Pacte {a:7d}  database {b:7d}")
