"""What comes in: the inbox, reading and validating returned files, consolidation and roll-up."""
