"""The operation (audit) log: who changed what, when, from where, how it ended (seed 001 sys_opera_log)."""
