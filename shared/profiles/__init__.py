"""A user's profile (seed 004: timezone, notifications, links, travel preferences) and app settings
(seed 003: theme, onboarding, default provider), one row each, created on first read."""
