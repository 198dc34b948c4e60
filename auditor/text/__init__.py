"""Text checks shared by pages and social posts: contact details and dates.

These functions return plain records, never Findings, so any collector's text
(page regions, post bodies) can go through them.
"""
