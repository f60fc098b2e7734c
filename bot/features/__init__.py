"""The services behind handlers: one module or folder per feature, SQL left to bot.storage."""
