"""The public (issue 15): whistleblower reports with protected identity and rewards, and
the exposure board (曝光台)."""
