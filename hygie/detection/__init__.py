"""Detection: Sigma rules run over log events, raising alerts."""
