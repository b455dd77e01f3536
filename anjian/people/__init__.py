"""The people (issue 15): workers, training, certificates, safety points, special-work
permits and responsibility lists."""
