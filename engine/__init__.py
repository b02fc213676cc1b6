"""fieldcast's domain: workspace, ingest, bundles, gate, runs; no Qt, no network."""

__version__ = "0.1.0"
