"""Every action, block, callback and view ID, named once."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """action_id values of interactive elements."""

    # partners
    PARTNER_SET_STATUS = "partner_set_status"
    PARTNER_UNDO = "partner_undo"
    PARTNER_PICK = "partner_pick"
    PARTNER_OPEN_UPDATE = "partner_open_update"
    PARTNER_SHOW = "partner_show"
    PARTNER_MENU = "partner_menu"
    HOME_REFRESH = "home_refresh"
    IMPORT_RUN = "import_run"
    IMPORT_CANCEL = "import_cancel"
    # questions
    ANSWER_SHARE = "answer_share"
    ANSWER_VOTE_UP = "answer_vote_up"
    ANSWER_VOTE_DOWN = "answer_vote_down"
    EXPERT_ANSWER = "expert_answer"
    FAQ_EDIT = "faq_edit"
    EXPERT_POINT = "expert_point"  # the experts' "Already answered by…" picker
    GAP_MOVE = "gap_move"  # the gaps' "Move to…" picker
    BEYOND_MOVE = "beyond_move"  # "Answer it with this entry" under a question marked beyond the bot's knowledge
    # nudges
    # Slack wants action_ids unique within a block, so each digest button has its own.
    NUDGE_CONTACTED = "nudge_contacted"
    NUDGE_REGISTERED = "nudge_registered"
    NUDGE_SNOOZE = "nudge_snooze"


class View(StrEnum):
    """callback_id values of modals."""

    PARTNER_UPDATE = "partner_update_modal"
    EXPERT_ANSWER = "expert_answer_modal"
    FAQ_ENTRY = "faq_entry_modal"


class Block(StrEnum):
    """block_id values inside modals, read back on submission; and prefixes of message blocks' IDs."""

    PARTNER = "partner_block"
    STATUS = "status_block"
    NOTE = "note_block"
    QUESTIONS_EN = "questions_en_block"
    QUESTIONS_FR = "questions_fr_block"
    ANSWER_EN = "answer_en_block"
    ANSWER_FR = "answer_fr_block"
    ANSWER = "answer_block"
    QUESTION = "question"  # `question.<ID>`: the actions of one logged question (its pickers carry no ID)


class Field(StrEnum):
    """action_id values of inputs inside modal blocks."""

    PARTNER = "partner_input"
    STATUS = "status_input"
    NOTE = "note_input"
    TEXT = "text_input"
