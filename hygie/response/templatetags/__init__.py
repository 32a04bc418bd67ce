"""Template tags of the response pages."""
