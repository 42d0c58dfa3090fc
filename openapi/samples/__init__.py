"""Data package `spotcheck.openapi.samples`: sample schemas of the other auth profiles."""
