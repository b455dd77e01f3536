"""Production-safety accidents (生产安全事故): quick and follow-up reports, grading by
国务院令第493号, GB 6441-86 classification and rates, investigation and close-out."""
