"""The Slack adapter: bolt app, signature gate, inbound translation, Block Kit, chat port, OAuth."""
