"""Self-checks (隐患排查): the authenticity scorer and its file contract, pure for now; the app
(models, pages) will live here too."""
