"""Use cases: read, decide with the domain, write, in one transaction."""
