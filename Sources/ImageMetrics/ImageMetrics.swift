/// Image metrics module: see the issue on metrics.
