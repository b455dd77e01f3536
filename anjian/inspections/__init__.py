"""Inspections and enforcement (监管执法, issue 12): self-checks, authenticity signals,
enforcement plans, the double-random draw (双随机、一公开), unannounced and joint
inspections, enforcement documents and penalties.

For now it holds only the pure draw (`anjian.inspections.draw`, no Django); the app
configuration and models come with the rest of the issue.
"""
