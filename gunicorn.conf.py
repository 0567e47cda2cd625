"""gunicorn's settings for the dashboard: ``gunicorn app:server`` reads this file from the working directory.

Meant to run behind the reverse proxy of docs/deployment.md, which reads each
request in full before passing it on: gunicorn's threads then never wait on a
slow client. Every value can be overridden on the command line or with
``GUNICORN_CMD_ARGS``.
"""

import os

bind = os.environ.get("DECARB_BIND", "127.0.0.1:8000")  # loopback: only the proxy on this machine reaches it
workers = int(os.environ.get("DECARB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("DECARB_THREADS", "8"))
# A worker silent for this long is restarted; a page's heaviest callback takes a few seconds.
timeout = 60
graceful_timeout = 30
# Idle keep-alive connections are closed after this many seconds. The proxy in front must close its own idle
# connections to gunicorn sooner (deploy/nginx-decarb.conf: 4 s; nginx's default is 60 s): otherwise it can send a
# request on a connection just as gunicorn closes it, and a page's figures (a POST, which nginx does not send again
# elsewhere) fail with a 502. Behind a load balancer that keeps idle connections longer, set this above its timeout.
keepalive = int(os.environ.get("DECARB_KEEPALIVE_S", "5"))
# Headers: at most 100, each at most 8 KB, the request line at most 4 KB (the app's addresses are short).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Restart each worker after this many requests (plus up to 10% so that they do not restart together).
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"


def post_fork(server, worker):
    """The app's own log (the ``decarb_dashboard`` loggers: each engine rebuilt and how long it took, the mail
    sent, a lost database) goes where gunicorn's error log goes, at its level (``--log-level``, info unless
    told) and with its timestamps and process id. Without this only the app's warnings reached stderr, bare."""
    import logging

    gunicorn_error = logging.getLogger("gunicorn.error")
    ours = logging.getLogger("decarb_dashboard")
    ours.handlers = list(gunicorn_error.handlers)
    ours.setLevel(gunicorn_error.level)
    ours.propagate = False
