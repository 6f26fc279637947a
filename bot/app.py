"""Wiring: the telegram.ext.Application with our handlers, update processor and defaults."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults

from bot.delivery import jobs
from bot.ptb.context import Context
from bot.ptb.processor import ChatOrderedProcessor
from bot.ptb.replies import Replies
from bot.ptb.request import AiohttpRequest
from bot.render.i18n import Translator
from bot.services.runtime import Services
from bot.settings import SUPPORTED_LOCALES
from conversations import admin, common, flow, manage, privacy, screens, staff

App = Application[Any, Context, Any, Any, Any, Any]
COMMANDS = (
    ("start", "book an appointment"),
    ("mybookings", "your bookings"),
    ("language", "change the language"),
    ("timezone", "change the time zone of the times shown"),
    ("cancel", "leave the booking in progress"),
    ("mydata", "everything held about you"),
    ("forgetme", "erase everything about you"),
    ("help", "this help"),
)


def build_application(services: Services) -> App:
    settings = services.settings
    processor = ChatOrderedProcessor(services, settings.UPDATES_IN_FLIGHT)
    builder = (
        Application.builder()
        .token(settings.TELEGRAM_BOT_TOKEN)
        .base_url(str(settings.TELEGRAM_BASE_URL))
        .base_file_url(str(settings.TELEGRAM_BASE_FILE_URL))
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=Context))
        .concurrent_updates(processor)
        # as many connections as handlers run at once; one more for getUpdates
        .request(AiohttpRequest(connections=settings.UPDATES_IN_FLIGHT))
        .get_updates_request(AiohttpRequest(connections=1, read_timeout=10.0))
    )
    application: App = builder.build()
    application.bot_data[Context.SERVICES_KEY] = services
    processor.application = application
    processor.replay = _replay(application)
    processor.failed = _failed(application)
    application.add_handler(staff.guard(), group=-1)
    for handler in [*common.before_flows(), *manage.handlers(), *privacy.handlers(),
                    *staff.handlers(),
                    *admin.handlers()]:
        application.add_handler(handler)
    application.add_handler(flow.conversation())
    for handler in common.after_flows():
        application.add_handler(handler)
    common.register(application)
    return application


def _replay(application: App) -> Any:
    """For an update processed before: show its chat's flow where it stands."""

    async def replay(update: Update) -> None:
        await screens.resume(update, Context.from_update(update, application))

    return replay


def _failed(application: App) -> Any:
    """For an update whose turn failed (the database): say so; nothing of it was kept."""

    async def failed(update: Update) -> None:
        chat = update.effective_chat
        replies = Replies(chat.id if chat else None, update.callback_query)
        settings = application.bot_data[Context.SERVICES_KEY].settings
        common.tell_failure(update, replies, settings.DEFAULT_LOCALE)
        await replies.deliver(application.bot)

    return failed


async def started(application: App, services: Services) -> None:
    """Once the application is initialised: the command menu, the outbox's sender, the jobs."""
    await set_commands(application)
    await jobs.start(application, services)


async def set_commands(application: App) -> None:
    """The command menu, in every language, and the default for everyone else."""
    services: Services = application.bot_data[Context.SERVICES_KEY]
    for locale in SUPPORTED_LOCALES:
        await application.bot.set_my_commands(_commands(locale), language_code=locale)
    await application.bot.set_my_commands(_commands(services.settings.DEFAULT_LOCALE))


def _commands(locale: str) -> list[BotCommand]:
    t = Translator(locale)
    return [BotCommand(name, t._(description)) for name, description in COMMANDS]
