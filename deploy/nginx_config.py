"""The shipped nginx site file adapted to a run on loopback, and an nginx.conf like Debian's around it.

Used by the deployment test (config/tests/test_deploy.py) and the production benchmark
(bench/production.py), so both run the very file an operator installs.
"""

import os
import re
import subprocess
from pathlib import Path

SITE_CONFIG = Path(__file__).resolve().parent / "nginx" / "csrc.conf"
HOST = "127.0.0.1"


class ShippedFileChanged(Exception):
    """The shipped site file no longer holds a line the adaptation swaps; the caller must be updated."""


def site_config(*, port: int, upstreams: list[int], var_dir: Path, server_name: str | None = None) -> str:
    """Return the shipped site file with the operator's address, upstream and host paths swapped for the run's."""
    text = SITE_CONFIG.read_text()
    servers = "\n    ".join(f"server {HOST}:{upstream};" for upstream in upstreams)
    replacements = {
        "listen 80 default_server;": f"listen {HOST}:{port} default_server;",
        "listen [::]:80 default_server;": "",
        "listen 80;": f"listen {HOST}:{port};",
        "listen [::]:80;": "",
        "/srv/csrc/var/": f"{var_dir}/",
        "server 127.0.0.1:8000;": servers,
    }
    if server_name:
        replacements["server_name recruit.example.com;"] = f"server_name {server_name};"
    for shipped, replacement in replacements.items():
        if shipped not in text:
            raise ShippedFileChanged(f"{SITE_CONFIG.name} no longer holds {shipped!r}")
        text = text.replace(shipped, replacement)
    return text


def main_config(*, prefix: Path, nginx: str, workers: str = "1", access_log: bool = True) -> str:
    """Return an nginx.conf like Debian's with every file under `prefix`, including the site file."""
    # nginx started by root hands its workers to `nobody`, who may not read the run's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    log = f"access_log {prefix}/access.log;" if access_log else "access_log off;"
    return f"""{user}worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 768; }}
http {{
    include {_conf_dir(nginx)}/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    {log}
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/csrc.conf;
}}
"""


def _conf_dir(nginx: str) -> Path:
    """Return the folder of the installed nginx's own configuration, which holds mime.types."""
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True, check=True).stderr
    match = re.search(r"--conf-path=(\S+)", built)
    return Path(match.group(1)).parent if match else Path("/etc/nginx")
