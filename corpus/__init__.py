"""Loading, cleaning, segmenting and chunking the news corpus (our own code)."""
