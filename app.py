"""Run the dashboard: ``python app.py``, or ``gunicorn app:server`` in production.

Host and port come from ``DECARB_HOST`` (default 127.0.0.1) and ``DECARB_PORT`` (default 8050).
"""

import os
import sys

from decarb_dashboard.config import ConfigurationError
from decarb_dashboard.web import create_app
from decarb_dashboard.web.headers import QuietRequestHandler

try:
    app = create_app()
except ConfigurationError as exc:
    sys.exit(f"decarb-dashboard will not start: {exc}")
server = app.server



if __name__ == "__main__":
    app.run(host=os.environ.get("DECARB_HOST", "127.0.0.1"), port=int(os.environ.get("DECARB_PORT", "8050")),
            debug=False, request_handler=QuietRequestHandler)
