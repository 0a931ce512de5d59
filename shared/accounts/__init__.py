"""What an account owns across every domain: its export and its deletion (above the domains)."""
