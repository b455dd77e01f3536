"""The monthly dispatch (月调度): what townships and departments report each month that the
platform cannot count itself, combined with the platform's own figures (issue 13 item 4)."""
