"""Help texts for the slash commands."""

from __future__ import annotations

from bot.blocks import context, section
from bot.replies import Reply
from bot.statuses import typed_forms
from bot.text import escape, truncate


def quote(text: str, limit: int = 80) -> str:
    """User text made safe to echo inside backticks."""
    return escape(truncate(" ".join(text.split()), limit)).replace("`", "'")


def partner_help(command: str = "/partner") -> Reply:
    """Usage of `/partner`."""
    lines = [
        f"`{command} show <partner>` — status, owner, last note and recent history",
        f"`{command} update <partner> <status> [note…]` — change a status (or `{command} update` for a form)",
        f"`{command} assign <partner> @user` — give a partner to someone else (owner or admin)",
        f"`{command} mine` — your partners not yet registered",
        f"`{command} find <text>` — search partners by ID or name",
        f"`{command} export [xlsx]` — every partner as a file in your DM (admins); `{command} export mine`: yours",
        f"`{command} import` — how to import a partner file (admins)",
        f"`{command} help` — this help",
    ]
    body = escape("\n".join(lines))
    notes = escape(
        f"*<partner>* is a partner ID (any case) or a name; quote names with spaces: "
        f'`{command} update "Réseaux Dupont" contacted`.\n'
        f"*<status>* is one of {typed_forms()}; French works too: "
        "`non contacté`, `contacté`, `en cours`, `enregistré`/`inscrit`, `refusé`."
    )
    text = f"*{command}* — track Linksys partners' registration in the Cisco Channel Partner Program\n{body}\n{notes}"
    return Reply(
        text=text,
        blocks=[section(f"*{command}* — track partner registrations"), section(body), context(notes)],
    )


def transition_help(command: str = "/transition", lang: str = "en") -> Reply:
    """Usage of `/transition`."""
    if lang == "fr":
        lines = [
            f"`{command} <question>` — posez une question sur la transition Linksys → Cisco",
            f"`{command} deadline` — l'échéance et les jours restants",
            f"`{command} progress` — l'avancement des enregistrements",
            f"`{command} nudges off|on` — couper ou rétablir vos relances",
            f"`{command} nudge now` — lancer une relance maintenant (admins)",
            f"`{command} faq gaps` — questions sans réponse ou mal notées (admins)",
            f"`{command} faq add` — ajouter une réponse (admins)",
        ]
        intro = (
            "Je réponds aux questions sur la migration des partenaires Linksys vers Cisco, en français ou en anglais."
        )
    else:
        lines = [
            f"`{command} <question>` — ask anything about the Linksys → Cisco transition",
            f"`{command} deadline` — the deadline and days left",
            f"`{command} progress` — registration progress",
            f"`{command} nudges off|on` — mute or restore your deadline reminders",
            f"`{command} nudge now` — run a reminder round now (admins)",
            f"`{command} faq gaps` — unanswered and down-voted questions (admins)",
            f"`{command} faq add` — add an answer (admins)",
        ]
        intro = "I answer questions about the Linksys partners' move to Cisco, in English or French."
    body = escape("\n".join(lines))
    return Reply(text=f"{intro}\n{body}", blocks=[section(intro), section(body)])
