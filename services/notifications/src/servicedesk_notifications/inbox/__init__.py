"""The in-app inbox (contract §7): every notification a user has, read or not."""
