"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1 at a random port) and the settings that send through it."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import random
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

SENDER = "Decarbonisation Dashboard <dashboard@example.invalid>"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; ``refuse`` makes it answer DATA with a 451."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False
        self.delay_s = 0.0
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.refuse:
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    return random.randint(18000, 18999)


@contextlib.contextmanager
def serving(inbox: Inbox, monkeypatch) -> Iterator[Inbox]:
    """Run an SMTP server delivering to ``inbox`` and point DECARB_SMTP_URL and DECARB_MAIL_FROM at it."""
    for _ in range(20):
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            continue
    else:
        pytest.fail("no free port for the SMTP server")
    monkeypatch.setenv("DECARB_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("DECARB_MAIL_FROM", SENDER)
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()
