#!/usr/bin/env python3
# Restarts the database when it stops answering on its port.
import socket
import subprocess
import sys


def alive(host="127.0.0.1", port=3306):
    try:
        with socket.create_connection((host, port), timeout=3) as s:
            banner = s.recv(64)
            return bool(banner)
    except OSError:
        return False


if not alive():
    subprocess.call(["systemctl", "restart", "mariadb"])
    out = subprocess.check_output(["systemctl", "is-active", "mariadb"]).decode().strip()
    sys.exit(0 if out == "active" else 1)
