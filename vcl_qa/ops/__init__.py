"""Running the service: backups and restores, retention, status, metrics."""
