"""Deploying LR Lab beyond one process: nginx in front of several replicas sharing PostgreSQL (``deploy.scale``),
from the pieces in ``deploy.services``."""
