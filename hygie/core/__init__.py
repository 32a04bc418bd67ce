"""Core: organisation model, accounts and scoping, audit trail, alerts, evidence, shell."""
