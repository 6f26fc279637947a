"""Pure rules and data: no telegram, no storage, no I/O; time is passed in."""
