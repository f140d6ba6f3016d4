"""The platform-neutral message model every handler and adapter speaks.

Adapters translate platform payloads into :class:`Incoming` and render :class:`Reply`
back; handlers see nothing else. Platform data rides along in ``platform_data`` /
``ConversationRef.opaque`` untouched, so an adapter can reply in the right thread or
tenant without the core knowing what a thread or tenant is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class User:
    """A person talking to the bot.

    Attributes:
        platform: Where they talk to us (``console``, ``slack``, ``teams``).
        id: The platform's stable id for them (Slack user id, Teams AAD object id, email
            in the console).
        email: Their email when known; persona owners and admins are matched by email.
        name: A display name when known.
    """

    platform: str
    id: str
    email: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        """A stable identity across the bot: ``platform:id``."""
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True, kw_only=True)
class ConversationRef:
    """Where a message came from and where the bot can post later (proactively).

    Attributes:
        platform: The platform the conversation lives on.
        id: The platform's conversation/channel id.
        thread: A thread to answer in, if any.
        opaque: Adapter-private data needed to post here again (service URL, tenant,
            team id, ...). The core never reads it.
        fresh: The conversation starts with this message (a new thread), so nothing
            can be pending in it yet; the router skips looking.
    """

    platform: str
    id: str
    thread: str | None = None
    opaque: Mapping[str, Any] = field(default_factory=dict)
    fresh: bool = False

    @property
    def key(self) -> str:
        """A stable key for multi-turn state: ``platform:id[:thread]``."""
        return f"{self.platform}:{self.id}" + (f":{self.thread}" if self.thread else "")


@dataclass(frozen=True, kw_only=True)
class MessageRef:
    """Where a message the bot sent lives, so it can be edited in place later.

    Attributes:
        platform: The platform it was sent on.
        conversation: The conversation (channel) id it is in.
        id: The platform's message id (Slack ``ts``, Teams activity id).
        opaque: Adapter-private data needed to edit it (a Slack ``response_url`` for a
            private message, a Teams service URL). The core never reads it.
    """

    platform: str
    conversation: str
    id: str
    opaque: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Incoming:
    """One thing a user did: typed text or picked a choice.

    Attributes:
        user: Who did it.
        conversation: Where.
        text: What they typed (for a picked choice: the choice's label).
        action: The picked choice's ``value`` when the user clicked a button or typed a
            choice number; ``None`` for free text.
        platform_data: The raw platform payload, for the adapter only.
        typed_choices: The user sees choices numbered and picks them by typing a number
            or label (the console, text-only clients). Platforms with real buttons say
            False, and no pending choices are kept for them.
        message: The message whose button was clicked, when the platform says which
            (so the answer can edit it in place).
        id: The platform's id of this message (Slack ``client_msg_id`` or ``ts``, Teams
            activity id), the same when it is delivered again (a platform's retry, a
            replica answering what a crashed one acknowledged): a flow that must not
            take one answer twice remembers it. ``None`` where there is none (console).
    """

    user: User
    conversation: ConversationRef
    text: str
    action: str | None = None
    platform_data: Mapping[str, Any] = field(default_factory=dict)
    typed_choices: bool = True
    message: MessageRef | None = None
    id: str | None = None
    form: Mapping[str, str] | None = None
    """The values of a submitted :class:`Form`, by field name (a choice field gives its
    option's ``value``; an empty field gives ``""``). A submission arrives as
    ``Incoming(action=form.action, form={...}, text="")``; ``None`` for anything else."""


@dataclass(frozen=True, kw_only=True)
class Choice:
    """A button the user can press; ``value`` comes back as :attr:`Incoming.action`.

    ``personal`` buttons are answered to the clicker alone, where the platform can
    (Teams refreshes the card for that user; Slack answers ephemerally): a live quiz's
    answers stay private until the reveal.
    """

    label: str
    value: str
    personal: bool = False


@dataclass(frozen=True, kw_only=True)
class FormField:
    """One input of a :class:`Form`.

    Attributes:
        name: The key of its value in the submitted values (:attr:`Incoming.form`).
        label: What the user sees above (or, in the console, as) the input.
        kind: ``text`` (one line), ``multiline`` or ``choice`` (one of ``options``).
        options: For ``choice``: the options, their ``label`` shown, their ``value``
            submitted.
        value: Pre-filled text, or the ``value`` of the pre-selected option.
        required: An empty value is refused by the platform where it can (Slack, Teams)
            and re-asked in the console; handlers check again all the same.
        max_length: The most characters accepted (Slack caps text inputs at 3,000).
        hint: A placeholder or one line of help under the input.
    """

    name: str
    label: str
    kind: str = "text"
    options: tuple[Choice, ...] = ()
    value: str = ""
    required: bool = False
    max_length: int | None = None
    hint: str = ""


@dataclass(frozen=True, kw_only=True)
class Form:
    """A form for the user to fill in: a Slack modal, a Teams card form, console prompts.

    Attributes:
        action: Comes back as :attr:`Incoming.action` with the values when the form is
            submitted; routed like a button's value (the prefix before ``:`` picks the
            handler).
        title: The modal's or card's title (Slack shows at most 24 characters).
        fields: The inputs, in order.
        submit: The submit button's label.
        intro: Text shown above the fields, if any.
    """

    action: str
    title: str
    fields: tuple[FormField, ...]
    submit: str
    intro: str = ""


@dataclass(frozen=True, kw_only=True)
class Field:
    """A labelled piece of a card: a paragraph, or a list of bullet items."""

    label: str
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Card:
    """A structured answer (a persona, an objection) that renderers lay out natively.

    Attributes:
        title: The headline.
        subtitle: A line under the title.
        badges: Short status labels (e.g. "Review overdue").
        fields: The body, in order.
        footer: Small print (owners, freshness, sources).
        choices: Buttons attached to this card.
    """

    title: str
    subtitle: str = ""
    badges: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    footer: str = ""
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What the bot says: text, optional cards and optional choices.

    Text is plain (no platform markup); renderers escape it for their platform.
    """

    text: str = ""
    cards: tuple[Card, ...] = ()
    choices: tuple[Choice, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    """Machine-readable facts about the answer (intent, ids, confidence) for logs and
    ``--json`` output; renderers ignore it."""
    replaces: MessageRef | None = None
    """Edit this sent message in place instead of posting a new one (a clicked quiz
    question shows the pick and loses its buttons); where a platform cannot edit, the
    reply is posted as a new message."""
    private: bool = False
    """Only the person who clicked sees it (an ephemeral message on Slack, the card
    refreshed for them on Teams); where a platform cannot, it is posted as usual."""
    speaker: str = ""
    """Who says it, when the bot speaks in character (a role-play's buyer persona): shown
    as a context line on Slack, a card header on Teams, a name before the text in the
    console."""
    then: tuple[Reply, ...] = ()
    """Further messages sent after this one, in order (the next quiz question after the
    verdict on the last)."""
    later: Callable[[], Reply | None] | None = None
    """Slow work whose answer follows as its own message (a model wording a role-play
    buyer's line): a transport sends this reply's messages first, then runs ``later``
    away from its event loop and sends what it returns (nothing for ``None``: too late).
    Nothing a platform waits for (an acknowledgement) ever waits for it."""
    form: Form | None = None
    """Show this form to the user (with the reply's text, where that makes sense): a
    Slack modal (or, without a trigger to open one, a button that opens it), a Teams task
    module or a card with inputs, prompts in the console."""
    form_errors: Mapping[str, str] = field(default_factory=dict)
    """The submission was refused: a message per field name. The form is shown again
    with them (Slack's ``response_action: errors``, the Teams card again, console
    re-prompts); ``form`` is the form to show again."""

    def messages(self) -> tuple[Reply, ...]:
        """This reply and the ones it is followed by, in the order they are sent.

        ``later`` is not among them: the transport runs it after sending these.
        """
        out: tuple[Reply, ...] = (dataclasses.replace(self, then=(), later=None),)
        for follow in self.then:
            out += follow.messages()
        return out
