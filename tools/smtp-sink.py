#!/usr/bin/env python3
"""A minimal SMTP server that stores every message it accepts, for the system test.

    smtp-sink.py DIRECTORY

Listens on 127.0.0.1 on a free port, writes the port to DIRECTORY/port, and stores each message
whose DATA is complete as DIRECTORY/NNNN.eml (the envelope recipients in DIRECTORY/NNNN.rcpt).
python3-minimal's modules only (socket, threading): that is all the test system has.
"""
import itertools
import os
import socket
import sys
import threading

DIRECTORY = sys.argv[1]
counter = itertools.count(1)
lock = threading.Lock()


class Session:
    def __init__(self, connection):
        self.rfile = connection.makefile("rb")
        self.wfile = connection.makefile("wb")

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 kinerjad-test-sink ESMTP")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 kinerjad-test-sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                body = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    body.append(data[1:] if data.startswith(b"..") else data)
                with lock:
                    number = next(counter)
                    base = os.path.join(DIRECTORY, f"{number:04d}")
                    with open(base + ".rcpt", "w") as f:
                        f.write("\n".join(recipients) + "\n")
                    with open(base + ".eml.tmp", "wb") as f:
                        f.write(b"".join(body))
                    os.rename(base + ".eml.tmp", base + ".eml")
                self.reply("250 OK stored")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


def serve(connection):
    with connection:
        Session(connection).handle()


os.makedirs(DIRECTORY, exist_ok=True)
listener = socket.create_server(("127.0.0.1", 0))
with open(os.path.join(DIRECTORY, "port.tmp"), "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(os.path.join(DIRECTORY, "port.tmp"), os.path.join(DIRECTORY, "port"))
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
