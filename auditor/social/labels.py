"""How each platform is named in the report."""

PLATFORM_LABELS = {"mastodon": "Mastodon", "bluesky": "Bluesky", "rss": "news feed", "facebook": "Facebook",
                   "instagram": "Instagram", "page": "profile page"}


def label(platform: str) -> str:
    return PLATFORM_LABELS.get(platform, platform)
