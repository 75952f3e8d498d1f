#!/usr/bin/env python3
"""Asks the release API whether the site should update, and pulls it with git."""
import os
import subprocess

import requests

REPO = "/srv/www/site"
API = "https://api.example.com/v1/sites/main/release"


def main():
    r = requests.get(API, headers={"Authorization": "Bearer " + os.environ["TOKEN"]}, timeout=10)
    r.raise_for_status()
    info = r.json()
    if not info.get("deploy"):
        return
    os.chdir(REPO)
    subprocess.run(["git", "fetch", "--tags"], check=True)
    subprocess.run(["git", "checkout", info["ref"]], check=True)
    subprocess.run(["git", "pull", "--ff-only"], check=True)
    out = subprocess.check_output(["git", "rev-parse", "HEAD"]).decode().strip()
    requests.post(API + "/ack", json={"head": out}, timeout=10)
    os.system("systemctl reload php8.2-fpm")


if __name__ == "__main__":
    main()
