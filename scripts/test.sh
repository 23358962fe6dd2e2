#!/usr/bin/env bash
# Runs every test: unit, integration on SQLite and a real PostgreSQL, browser end to end in
# Debian's Chromium. Installs what it needs (Debian packages) when missing. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v dovecot >/dev/null || need+=(dovecot-imapd)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A real SMTP server for outgoing mail (aiosmtpd, from PyPI): it writes what it receives to a Maildir.
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check aiosmtpd
# Schemathesis (from PyPI) drives the API from its OpenAPI document in tests/it/contract_test.rs.
command -v schemathesis >/dev/null || python3 -m pip install -q --disable-pip-version-check schemathesis

work=$(mktemp -d)
# Dovecot's mail user must reach its Maildirs, so they live apart from the PostgreSQL cluster.
mail_dir=$(mktemp -d)
chmod 755 "$mail_dir"
cleanup() {
  [ -n "${driver_pid:-}" ] && kill "$driver_pid" 2>/dev/null || true
  [ -n "${smtp_pid:-}" ] && kill "$smtp_pid" 2>/dev/null || true
  [ -f "$mail_dir/dovecot.conf" ] && doveadm -c "$mail_dir/dovecot.conf" stop 2>/dev/null || true
  rm -rf "$mail_dir"
  if [ -f "$work/data/postmaster.pid" ]; then
    run_pg "$pg_bin/pg_ctl -D $work/data -m fast stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throwaway PostgreSQL cluster on loopback (as the postgres user when we are root).
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
pg_port=$(free_port)
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$work"
  run_pg() { su postgres -s /bin/sh -c "$1"; }
else
  run_pg() { sh -c "$1"; }
fi
run_pg "$pg_bin/initdb -D $work/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
run_pg "$pg_bin/pg_ctl -D $work/data -o '-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off' -l $work/pg.log -w start" >/dev/null
export PACTE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"

# chromedriver for the browser tests.
driver_port=$(free_port)
chromedriver --port="$driver_port" --allowed-ips=127.0.0.1 >"$work/chromedriver.log" 2>&1 &
driver_pid=$!
export WEBDRIVER_URL="http://127.0.0.1:$driver_port"
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/"$driver_port") 2>/dev/null && break; sleep 0.1; done

# A real IMAP server (Dovecot) on loopback: any user name, password "secret", Maildir storage.
imap_port=$(free_port)
mkdir -p "$mail_dir"/{run,state,mail}
chown -R dovecot:dovecot "$mail_dir/mail" 2>/dev/null || true
sed -e "s#@DIR@#$mail_dir#g" -e "s#@PORT@#$imap_port#g" \
    -e "s#@UID@#$(id -u dovecot 2>/dev/null || id -u)#g" -e "s#@GID@#$(id -g dovecot 2>/dev/null || id -g)#g" \
    scripts/dovecot.conf.in >"$mail_dir/dovecot.conf"
dovecot -c "$mail_dir/dovecot.conf"
export PACTE_TEST_IMAP="127.0.0.1:$imap_port"

smtp_port=$(free_port)
python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$work/smtp-maildir" >"$work/smtp.log" 2>&1 &
smtp_pid=$!
export PACTE_TEST_SMTP="127.0.0.1:$smtp_port" PACTE_TEST_SMTP_MAILDIR="$work/smtp-maildir"
for _ in $(seq 50); do
  (echo >/dev/tcp/127.0.0.1/"$imap_port") 2>/dev/null && (echo >/dev/tcp/127.0.0.1/"$smtp_port") 2>/dev/null && break
  sleep 0.1
done

# Style and lints first: a warning is a failure.
if command -v rustup >/dev/null; then rustup component add rustfmt clippy >/dev/null 2>&1 || true; fi
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings

cargo test --all-targets "$@"
