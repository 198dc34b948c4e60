"""Corporate identity (policy 1.6): logo fingerprints, reference logos, scheme-name matching."""
