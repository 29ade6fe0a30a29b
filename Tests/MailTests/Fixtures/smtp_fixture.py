"""Loopback-only helpers for MailTests, run with Debian's /usr/bin/python3.

  serve OUTDIR [--reply ADDRESS=CODE ...]  aiosmtpd sink: each accepted message is written
                                           atomically to OUTDIR/<n>.eml with its envelope in
                                           OUTDIR/<n>.json; every EHLO appends to sessions.log.
  mute                                     accepts TCP connections and never says a word.
  closed                                   holds a bound port that is not listening.
  parse DIR                                prints a JSON summary of DIR/*.eml.

Servers print their 127.0.0.1 port on stdout, then run until stdin closes, so they die with
the test process even if it crashes before it can kill them.
"""
import argparse
import asyncio
import email
import json
import os
import socket
import sys
import threading
from email import policy


def bound_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def run_until_stdin_closes(port):
    print(port, flush=True)
    sys.stdin.buffer.read()
    os._exit(0)


class Sink:
    def __init__(self, outdir, replies):
        self.outdir = outdir
        self.replies = replies
        self.count = 0

    def write_atomically(self, name, data):
        tmp = os.path.join(self.outdir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.outdir, name))

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with open(os.path.join(self.outdir, "sessions.log"), "a") as f:
            f.write(hostname + "\n")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.replies.get(address.lower())
        if code:
            kind = "rejected" if code.startswith("5") else "deferred, try later"
            return "%s %s.1.1 <%s>: recipient %s" % (code, code[0], address, kind)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.write_atomically("%d.json" % self.count, json.dumps(
            {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}).encode())
        self.write_atomically("%d.eml" % self.count, envelope.original_content)
        return "250 2.0.0 Ok: queued as FIXTURE%d" % self.count


def serve(outdir, replies):
    from aiosmtpd.smtp import SMTP

    handler = Sink(outdir, replies)
    sock = bound_socket()
    sock.listen(16)
    loop = asyncio.new_event_loop()
    # An explicit hostname stops aiosmtpd calling getfqdn(), which could query DNS.
    factory = lambda: SMTP(handler, hostname="fixture.local", ident="fixture", loop=loop)
    loop.run_until_complete(loop.create_server(factory, sock=sock))
    threading.Thread(target=run_until_stdin_closes, args=(sock.getsockname()[1],), daemon=True).start()
    loop.run_forever()


def parse(directory):
    summaries = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(directory, name), "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=policy.default)
        summaries.append({
            "file": name,
            "message_id": str(msg["Message-ID"]),
            "subject": str(msg["Subject"]),
            "to": str(msg["To"]),
            "structure": ",".join(p.get_content_type() for p in msg.walk()),
            "defects": str(sum(len(p.defects) for p in msg.walk())),
            "text": msg.get_body(("plain",)).get_content(),
        })
    print(json.dumps(summaries))


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve")
    serve_cmd.add_argument("outdir")
    serve_cmd.add_argument("--reply", action="append", default=[], help="ADDRESS=CODE for RCPT")
    commands.add_parser("mute")
    commands.add_parser("closed")
    commands.add_parser("parse").add_argument("directory")
    args = parser.parse_args()

    if args.command == "serve":
        replies = dict(r.lower().split("=", 1) for r in args.reply)
        serve(args.outdir, replies)
    elif args.command == "mute":
        sock = bound_socket()
        sock.listen(16)  # the kernel completes handshakes; nobody ever accepts or speaks
        run_until_stdin_closes(sock.getsockname()[1])
    elif args.command == "closed":
        sock = bound_socket()  # bound, so no one else takes the port; not listening, so refused
        run_until_stdin_closes(sock.getsockname()[1])
    else:
        parse(args.directory)


if __name__ == "__main__":
    main()
