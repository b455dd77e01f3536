"""Self-checks (隐患排查, issue 12 items 1–3): check lists and check tasks, records done on a
phone, and the authenticity signals of those records. The scorer and its file contract
are pure modules (authenticity.py, scorefile.py, synthetic.py: no Django)."""
