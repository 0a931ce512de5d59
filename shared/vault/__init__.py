"""Per-user secrets for workflows: stored encrypted, used as `{{ secrets.NAME }}`, never shown again."""
