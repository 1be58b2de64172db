"""Gunicorn's settings for the web processes, behind nginx (deploy/nginx/csrc.conf).

deploy/systemd/csrc-web.service runs, from the checkout:

    .venv/bin/gunicorn --config deploy/gunicorn.conf.py

These are the server's settings; the application's come from the environment
(.env.example). Options given on the command line, or in GUNICORN_CMD_ARGS in the
environment file (`GUNICORN_CMD_ARGS=--workers=8`), override the values below. If you
change `bind`, change the address nginx proxies to as well.
"""

import multiprocessing

wsgi_app = "config.wsgi:application"
proc_name = "csrc-web"

# Only nginx on this machine talks to gunicorn. With nginx on another machine, bind to
# an address only it can reach, and keep TRUSTED_PROXY_COUNT counting nginx alone.
bind = "127.0.0.1:8000"

# Sync workers, each one request at a time: nginx buffers the slow phone's upload and
# download, so a worker is only held while Django works. Two per CPU and one more is
# gunicorn's rule of thumb; every worker holds its own database connection.
worker_class = "sync"
workers = multiprocessing.cpu_count() * 2 + 1

# A request that runs longer than this is killed and answered 502 by nginx, whose own
# proxy_read_timeout (60 s) is longer. Long work (bulk certificates, exports) runs in the
# worker, never in a request.
timeout = 30
graceful_timeout = 30

# Restart each worker after about a thousand requests, so that memory it gathered is
# given back; the jitter keeps them from restarting all at once.
max_requests = 1000
max_requests_jitter = 100

# The workers' heartbeat files on a memory file system: a busy disk cannot then stall
# a worker into being killed for silence.
worker_tmp_dir = "/dev/shm"

# Errors and start/stop notes to stderr, which systemd passes to the journal. No access
# log: nginx writes one for every request already.
errorlog = "-"
loglevel = "info"

# Gunicorn's control socket would sit in the service user's home folder, which a system
# user need not have; nothing here uses it (systemctl reload sends HUP).
control_socket_disable = True
