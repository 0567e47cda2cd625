"""``python -m decarb_dashboard`` runs the ``decarb`` command line."""

from decarb_dashboard.cli import main

raise SystemExit(main())
