"""Local persistence: connection profiles (a JSON file) and access keys (the OS keyring, nothing else)."""
