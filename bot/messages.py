"""Fixed texts shared by several surfaces."""

DATABASE_DOWN = (
    ":warning: The database is not answering right now, so *nothing was changed*. Please try again in a minute."
)
INTERNAL_ERROR = (
    ":warning: Something went wrong on my side and nothing was changed. "
    "Please try again; if it keeps happening, tell the bot's admins."
)
