"""One cog per file, each ending in `async def setup(bot)`."""

EXTENSIONS = ("bot.cogs.ask", "bot.cogs.quotes", "bot.cogs.articles", "bot.cogs.meta", "bot.cogs.stats")
