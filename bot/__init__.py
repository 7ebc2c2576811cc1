"""articlebot's Discord layer: slash commands, embeds within Discord's limits, the local console.

It uses the retrieval layer only through the public API of the `index` package.
"""
