class TrainerError(Exception):
    """A caller-side problem (bad dataset, bad arguments, bad bundle): reported as one line, exit 2."""
