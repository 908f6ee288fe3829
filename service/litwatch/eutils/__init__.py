"""eutils."""
