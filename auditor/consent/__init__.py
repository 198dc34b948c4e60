"""Photo consent (policy 1.4): the consent register, crop-tolerant hashes and the matching index."""
