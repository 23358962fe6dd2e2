"""Chat sockets under load: N visitors, each with a conversation taken by an advisor and a
WebSocket open on it; the advisor replies across the conversations at a steady rate and each
reply's time from the POST to its frame on the visitor's socket is measured. Visitors start from
several loopback addresses (127.0.0.x), since one address may start 30 conversations per 10
minutes. Usage: chat_load.py BASE ORG ADVISOR_TOKEN [N] [SECONDS] [RATE]"""
import asyncio, json, sys, time
import aiohttp, websockets

base, org, advisor = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
secs = float(sys.argv[5]) if len(sys.argv) > 5 else 10
rate = float(sys.argv[6]) if len(sys.argv) > 6 else 200
auth = {"Authorization": f"Bearer {advisor}"}


async def start(i):
    conn = aiohttp.TCPConnector(local_addr=(f"127.0.0.{2 + i // 25}", 0))
    async with aiohttp.ClientSession(connector=conn) as s:
        async with s.post(f"{base}/api/v1/chat/{org}/conversations", json={}) as r:
            j = await r.json()
            assert r.status == 201, j
        cid, token = j["conversation_id"], j["token"]
        async with s.post(f"{base}/api/v1/chat/conversations/{cid}/handoff", headers={"X-Chat-Token": token}) as r:
            assert r.status == 200, await r.text()
    return cid, token


async def main():
    convs = []
    for k in range(0, n, 50):
        convs += await asyncio.gather(*(start(i) for i in range(k, min(n, k + 50))))
    async with aiohttp.ClientSession(headers=auth) as s:
        for k in range(0, n, 50):
            async def accept(cid):
                async with s.post(f"{base}/api/v1/chat/conversations/{cid}/accept", json={}) as r:
                    assert r.status == 200, await r.text()
            await asyncio.gather(*(accept(c) for c, _ in convs[k:k + 50]))
        sent, lat, socks = {}, [], []
        ws_base = base.replace("http", "ws", 1)

        async def follow(cid, token):
            ws = await websockets.connect(f"{ws_base}/api/v1/chat/conversations/{cid}/socket?after=2",
                                          subprotocols=["pacte-chat", token], max_queue=None)
            socks.append(ws)
            async for m in ws:
                f = json.loads(m)
                for e in f.get("events", []):
                    t = sent.pop((cid, e["body"]), None)
                    if t is not None:
                        lat.append(time.perf_counter() - t)

        tasks = []
        for k in range(0, n, 100):
            tasks += [asyncio.create_task(follow(c, t)) for c, t in convs[k:k + 100]]
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        print(f"sockets open: {len(socks)}")
        replies, errors = 0, 0
        t_end = time.perf_counter() + secs

        async def reply(cid, body):
            nonlocal errors
            sent[(cid, body)] = time.perf_counter()
            async with s.post(f"{base}/api/v1/chat/conversations/{cid}/replies", json={"text": body}) as r:
                if r.status != 200:
                    errors += 1
        pending = []
        while time.perf_counter() < t_end:
            cid = convs[replies % n][0]
            pending.append(asyncio.create_task(reply(cid, f"r{replies}")))
            replies += 1
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*pending)
        await asyncio.sleep(3)
        lost = len(sent)
        lat.sort()
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        print(f"replies: {replies} in {secs:.0f} s ({replies / secs:.0f}/s), errors {errors}, "
              f"not delivered {lost}")
        print(f"POST -> visitor's socket: p50 {q(.5):.1f} ms, p90 {q(.9):.1f} ms, p99 {q(.99):.1f} ms, max {lat[-1]*1000:.1f} ms")
        for ws in socks:
            await ws.close()
        for t in tasks:
            t.cancel()

asyncio.run(main())
