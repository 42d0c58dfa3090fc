"""Data package `spotcheck.openapi`: our schema, its overlays and the sample schemas."""
