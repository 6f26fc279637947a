"""Wiring: the telegram.ext.Application with our handlers, update processor and defaults."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, Defaults

from bot.delivery import jobs
from bot.ptb.context import Context
from bot.ptb.processor import ChatOrderedProcessor
from bot.ptb.replies import Replies
from bot.ptb.request import AiohttpRequest, UpdatesRequest
from bot.render.i18n import N_, Translator
from bot.services.runtime import Services
from bot.settings import SUPPORTED_LOCALES
from conversations import admin, common, flow, manage, privacy, screens, staff, waitlist

App = Application[Any, Context, Any, Any, Any, Any]
log = logging.getLogger(__name__)
COMMANDS = (
    ("start", N_("book an appointment")),
    ("mybookings", N_("your bookings")),
    ("language", N_("change the language")),
    ("timezone", N_("change the time zone of the times shown")),
    ("cancel", N_("leave the booking in progress")),
    ("mydata", N_("everything held about you")),
    ("forgetme", N_("erase everything about you")),
    ("help", N_("this help")),
)
TODAY = ("today", N_("today's bookings in one message, kept up to date"))
STAFF_COMMANDS = (
    ("agenda", N_("the department's bookings: today, tomorrow or a date")),
    TODAY,
)
ADMIN_COMMANDS = (
    ("admin", N_("the admin commands, with examples")),
    ("agenda", N_("the day's bookings per department (default today)")),
    TODAY,
    ("close", N_("close a day; its bookings are cancelled and the citizens told")),
    ("open", N_("reopen a closed day")),
    ("export", N_("the bookings as a CSV file for Excel")),
    ("stats", N_("bookings by service, channel and status; no-show rate; busiest days "
                 "(default: the last 30 days)")),
    ("reload", N_("read the catalog again and apply it if it is valid")),
)
Commands = tuple[tuple[str, str], ...]


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
        .get_updates_request(UpdatesRequest(connections=1, read_timeout=10.0))
    )
    application: App = builder.build()
    application.bot_data[Context.SERVICES_KEY] = services
    processor.application = application
    processor.replay = _replay(application)
    processor.failed = _failed(application)
    application.add_handler(staff.guard(), group=-1)
    for handler in [*common.before_flows(), *manage.handlers(), *waitlist.handlers(),
                    *privacy.handlers(), *staff.handlers(),
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
    """The command menu: citizens', in every language and the default for everyone else;
    in each staff chat the staff's, and there for its admins theirs too; in an admin's
    private chat the citizens' and the admins'."""
    services: Services = application.bot_data[Context.SERVICES_KEY]
    bot, default = application.bot, services.settings.DEFAULT_LOCALE
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(_commands(locale, COMMANDS), language_code=locale)
    await bot.set_my_commands(_commands(default, COMMANDS))
    await _staff_menus(bot, services)
    await _admin_menus(bot, services)


async def _staff_menus(bot: Any, services: Services) -> None:
    """Each staff chat: the staff's menu, and for the admins of its municipality theirs."""
    for municipality in services.catalog.municipalities:
        admins = sorted({*services.settings.ADMIN_IDS, *municipality.admins})
        for group in municipality.groups:
            if not (chat := group.staff_chat_id):
                continue
            await _scoped(bot, _commands(group.staff_locale, STAFF_COMMANDS),
                          BotCommandScopeChat(chat))
            for user in admins:
                await _scoped(bot, _commands(group.staff_locale, ADMIN_COMMANDS),
                              BotCommandScopeChatMember(chat, user))


async def _admin_menus(bot: Any, services: Services) -> None:
    """An admin's private chat: the citizens' commands and the admins', in each language."""
    catalog, default = services.catalog, services.settings.DEFAULT_LOCALE
    admins = {*services.settings.ADMIN_IDS, *(a for m in catalog.municipalities
                                             for a in m.admins)}
    for user in sorted(admins):
        for language in (*SUPPORTED_LOCALES, None):
            await _scoped(bot, _commands(language or default, COMMANDS + ADMIN_COMMANDS),
                          BotCommandScopeChat(user), language)


async def _scoped(bot: Any, commands: list[BotCommand], scope: BotCommandScope,
                  locale: str | None = None) -> None:
    """A chat the bot is not in (yet), a private chat never opened: the menu waits for the
    next start; the bot runs on."""
    try:
        await bot.set_my_commands(commands, scope=scope, language_code=locale)
    except TelegramError as error:
        log.warning("command menu for %s not set: %s", scope.to_dict(), error)


def _commands(locale: str, commands: Commands) -> list[BotCommand]:
    t = Translator(locale)
    return [BotCommand(name, t._(description)) for name, description in commands]
