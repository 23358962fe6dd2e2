#!/usr/bin/env python3
"""SSE fan-out: N pages of one organisation hold GET /events open; one write a tenth of a second
is made through the API; each page's delay is from just before the write was sent to the event
arriving. The same with one page first is the baseline of the run.
Usage: live.py BASE TOKEN COOKIE PAGES WRITES"""
import asyncio, json, statistics, sys, time, urllib.parse

base, token, cookie, pages, writes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
host, port = urllib.parse.urlparse(base).hostname, urllib.parse.urlparse(base).port

async def page(ready, seen):
    r, w = await asyncio.open_connection(host, port)
    w.write(f"GET /events HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await w.drain()
    ready.set_result(None) if not ready.done() else None
    buf = b""
    while True:
        chunk = await r.read(65536)
        if not chunk:
            return
        buf += chunk
        now = time.perf_counter()
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            for line in block.split(b"\n"):
                if line.startswith(b"data:") and b'"number"' in line:
                    try:
                        n = json.loads(line[5:])["number"]
                    except Exception:
                        continue
                    seen.setdefault(n, []).append(now)

async def post(i):
    body = json.dumps({"channel": "chat", "direction": "inbound", "customer": {"email": f"live{i}@exemple.fr"},
                       "subject": f"Live {i}", "body": "Bonjour"}).encode()
    r, w = await asyncio.open_connection(host, port)
    w.write(b"POST /api/v1/interactions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode() +
            b"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    await w.drain()
    resp = await r.read()
    w.close()
    return json.loads(resp.split(b"\r\n\r\n", 1)[1])

async def run(n, writes, offset):
    seen = {}
    readies = [asyncio.get_running_loop().create_future() for _ in range(n)]
    tasks = [asyncio.create_task(page(readies[i], seen)) for i in range(n)]
    await asyncio.gather(*readies)
    await asyncio.sleep(1.5)  # every stream subscribed
    sent = {}
    for i in range(writes):
        t = time.perf_counter()
        answer = await post(offset + i)
        sent[answer["case_id"]] = t
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)
    for t in tasks:
        t.cancel()
    # Case numbers equal case ids in a fresh organisation.
    delays = [(at - sent[n]) * 1000 for n, ats in seen.items() if n in sent for at in ats]
    missing = n * len(sent) - len(delays)
    delays.sort()
    p = lambda q: delays[min(len(delays) - 1, int(len(delays) * q))] if delays else float("nan")
    print(f"{n:4d} pages, {len(sent)} writes: {len(delays)} events received, {missing} missing; "
          f"delay p50 {p(.5):6.1f} ms  p99 {p(.99):6.1f} ms  max {delays[-1] if delays else float('nan'):6.1f} ms")

asyncio.run(run(1, writes, 0))
asyncio.run(run(pages, writes, 10_000))
