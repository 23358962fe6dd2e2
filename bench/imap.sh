#!/usr/bin/env bash
# IMAP reading at scale: a real Dovecot with N mailboxes (default 300), each watched by `pacte
# serve` (IDLE). Delivers M messages to every mailbox as fast as the IMAP APPENDs go, and reports
# how long after delivery every message was recorded (the lag a customer's email waits before
# it is a case). SQLite in a temp dir. Usage: bench/imap.sh [mailboxes] [messages per mailbox]
# (run as root: Dovecot is started on loopback with scripts/dovecot.conf.in)
set -euo pipefail
cd "$(dirname "$0")/.."
boxes=${1:-300}; per=${2:-5}
cargo build --release -q
bin=$PWD/target/release/pacte
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d); mail=$(mktemp -d); chmod 755 "$mail"; pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; doveadm -c "$mail/dovecot.conf" stop 2>/dev/null; rm -rf "$dir" "$mail"' EXIT
imap_port=$(free_port)
mkdir -p "$mail"/{run,state,mail}; chown -R dovecot:dovecot "$mail/mail"
sed -e "s#@DIR@#$mail#g" -e "s#@PORT@#$imap_port#g" -e "s#@UID@#$(id -u dovecot)#g" -e "s#@GID@#$(id -g dovecot)#g" \
    scripts/dovecot.conf.in >"$mail/dovecot.conf"
dovecot -c "$mail/dovecot.conf"
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
token=$($bin --data-dir "$dir" user add --org bench --email admin@bench.fr --role admin 2>/dev/null)
port=$(free_port)
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
python3 - "$port" "$token" "$imap_port" "$boxes" "$per" <<'PY'
import imaplib, json, sys, threading, time, urllib.request
port, token, imap_port, boxes, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
api = f"http://127.0.0.1:{port}/api/v1"
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
for i in range(boxes):
    call("POST", "/mailboxes", {"address": f"box{i}@bench.fr", "imap_host": "127.0.0.1", "imap_port": imap_port,
        "imap_security": "none", "imap_user": f"box{i}", "imap_password": "secret"})
t = time.time()
while sum(1 for m in call("GET", "/mailboxes") if m["polled_at"]) < boxes:
    time.sleep(0.2)
print(f"{boxes} mailboxes watched {time.time() - t:.1f} s after being added")
def deliver(lo, hi):
    for i in range(lo, hi):
        c = imaplib.IMAP4("127.0.0.1", imap_port); c.login(f"box{i}", "secret")
        for k in range(per):
            msg = (f"From: client{i}-{k}@exemple.fr\r\nTo: box{i}@bench.fr\r\nSubject: Demande {k}\r\n"
                   f"Message-ID: <b{i}-{k}@exemple.fr>\r\n\r\n" + "Bonjour, une question sur ma facture.\r\n" * 200)
            c.append("INBOX", None, None, msg.encode())
        c.logout()
start = time.time()
threads = [threading.Thread(target=deliver, args=(j * boxes // 8, (j + 1) * boxes // 8)) for j in range(8)]
for th in threads: th.start()
for th in threads: th.join()
delivered = time.time()
total = boxes * per
while True:
    done = sum(m["last_uid"] for m in call("GET", "/mailboxes"))
    if done >= total: break
    time.sleep(0.05)
end = time.time()
print(f"{total} messages (~8 KB) appended to {boxes} mailboxes in {delivered - start:.1f} s ({total / (delivered - start):.0f}/s)")
print(f"all recorded {end - start:.1f} s after the first delivery, {end - delivered:.2f} s after the last one")
PY
