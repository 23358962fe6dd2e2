"""An SMTP server that requires STARTTLS and a login (aiosmtpd), for the email tests.
Usage: smtp_tls.py CERT KEY MAILDIR PORT USER PASSWORD — prints "ready" once listening."""
import ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

cert, key, maildir, port, user, password = sys.argv[1:7]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)

def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
        and auth_data.password == password.encode()
    return AuthResult(success=ok)

c = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), tls_context=ctx,
               require_starttls=True, authenticator=authenticate, auth_required=True)
c.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
