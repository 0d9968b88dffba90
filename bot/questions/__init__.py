"""Questions in Slack: answering them, the experts' loop and the FAQ admin, around the engine of bot/qa."""
