"""``python -m model`` runs the ``gzgrid`` command line."""

from model.cli import main

raise SystemExit(main())
