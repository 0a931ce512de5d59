"""Administration: roles and permissions, user management, notices, runtime settings, stats."""
