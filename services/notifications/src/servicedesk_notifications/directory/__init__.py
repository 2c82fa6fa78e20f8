"""The local user directory: who has which e-mail address, learnt from `user.registered`."""
