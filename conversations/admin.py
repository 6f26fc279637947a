"""Admin commands: /admin, /agenda, /close, /open, /export, /stats, /reload.

They work in a private chat with the bot and in staff chats (there, for that department);
anyone who is not an admin of the municipality is told so and nothing happens. /agenda and
/today are also every staff member's, in their department's staff chat.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Collection, Coroutine
from datetime import date
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.domain import N_
from bot.domain.arguments import ArgumentError, day_and_target, parse_day, parse_range
from bot.domain.catalog import Catalog, CatalogError
from bot.domain.scope import Scope, admin_scope, agenda_scope
from bot.domain.stats import stats
from bot.ptb.context import Context
from bot.ptb.handlers import (
    answer,
    chat_of,
    citizen,
    kick_dispatch,
    pressed_message,
    query_of,
    say,
    staff_t,
    user_of,
)
from bot.ptb.replies import Markup
from bot.render import admin, callbacks, keyboards, reports
from bot.render.html import chunks, esc
from bot.render.i18n import Translator
from bot.services import closing, lookups, planning
from bot.services.catalog import apply_catalog, load_catalog
from bot.services.reports import agenda, bookings_in, ratings_of, waiting_in

ScopeOf = Callable[[Collection[int], Catalog, int, int | None], Scope | None]


async def _admin(update: Update, ctx: Context,
                 scope_of: ScopeOf = admin_scope) -> tuple[Scope, Translator] | None:
    """The scope and language of an admin command, or None after saying "not allowed"."""
    user, chat = user_of(update), chat_of(update)
    in_private = chat.type == ChatType.PRIVATE
    services = ctx.services
    scope = scope_of(services.settings.ADMIN_IDS, services.catalog, user.id,
                     None if in_private else chat.id)
    t = (await citizen(update, ctx)).t if in_private else staff_t(ctx, chat.id)
    if scope is None:
        say(ctx, esc(admin.not_allowed(t)))
        return None
    return scope, t


def _today(ctx: Context) -> date:
    return ctx.now().astimezone(ctx.services.settings.zone).date()


def _say(update: Update, ctx: Context, text: str, markup: Markup = None) -> None:
    """Reply in as many messages as Telegram's length limit needs (buttons on the last)."""
    parts = chunks(text)
    for index, part in enumerate(parts):
        say(ctx, part, markup if index == len(parts) - 1 else None)


AdminCommand = Callable[[Update, Context, Scope, Translator], Awaitable[None]]


def as_admin(command: AdminCommand, scope_of: ScopeOf = admin_scope
             ) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """An admin command (or, with `agenda_scope`, a staff one): refused to anyone else;
    arguments it cannot use are explained."""

    async def run(update: Update, ctx: Context) -> None:
        if not (found := await _admin(update, ctx, scope_of)):
            return
        scope, t = found
        try:
            await command(update, ctx, scope, t)
        except ArgumentError as error:
            _say(update, ctx, esc(t._(error.message) % error.params))

    return run


async def admin_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    _say(update, ctx, admin.admin_help(t))


async def agenda_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    day = parse_day(ctx.args[0], _today(ctx)) if ctx.args else _today(ctx)
    zone = ctx.services.settings.zone
    sections = await agenda(ctx.conn, ctx.services.catalog, scope, day, zone,
                            t.locale)
    lengths, offers = await waiting_in(ctx.conn, scope, day, day, zone)
    _say(update, ctx, "\n".join([reports.agenda(t, day, sections, zone), *reports.waiting_lines(
        t, ctx.services.catalog, lengths, offers)]))


async def today_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    """In a staff chat, today's agenda as a message kept up to date; in private, the
    agenda as it stands."""
    chat = chat_of(update)
    if chat.type == ChatType.PRIVATE or scope.group is None:
        return await agenda_command(update, ctx, scope, t)
    await planning.ask_today(ctx.conn, chat.id, scope.group.id, ctx.now(),
                             ctx.services.settings.zone)


async def close_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    day, aim, words = day_and_target(ctx.args or [], scope, _today(ctx))
    if aim is None:
        return _say(update, ctx, admin.need_target(t))
    if not words:
        return _say(update, ctx, admin.need_reason(t))
    if day < _today(ctx):
        raise ArgumentError(N_("That day is in the past."))
    reason = " ".join(words)[:300]
    services = ctx.services
    affected = await closing.bookings_on(ctx.conn, day, *aim, services.settings.zone,
                                         ctx.now())
    name = admin.target_name(t, services.catalog, *aim)
    if not affected:
        return await _close(update, ctx, t, day, aim, reason)
    token = secrets.token_hex(4)
    ctx.turn.pending[token] = {"day": day.isoformat(), "kind": aim[0], "id": aim[1],
                               "reason": reason, "by": user_of(update).id}
    _say(update, ctx, admin.close_question(t, day, name, len(affected)),
         keyboards.confirm_close(t, token))


async def close_confirmed(update: Update, ctx: Context) -> None:
    query = query_of(update)
    if not (found := await _admin(update, ctx)):
        return answer(ctx)
    _, t = found
    button = callbacks.parse(query.data)
    pending = ctx.turn.pending
    request = pending.get(button.arg) if button else None
    answer(ctx)
    if not isinstance(request, dict) or request.get("by") != user_of(update).id:
        return  # another admin's question, or one already answered
    del pending[button.arg]  # type: ignore[union-attr]
    if button is not None and button.step == "cn":
        _show(update, ctx, admin.close_aborted(t))
        return
    day = date.fromisoformat(request["day"])
    await _close(update, ctx, t, day, (request["kind"], request["id"]), request["reason"],
                 edit=True)


async def _close(update: Update, ctx: Context, t: Translator, day: date,
                 aim: tuple[str, str], reason: str, edit: bool = False) -> None:
    services = ctx.services
    user = user_of(update)
    new, cancelled = await closing.close_day(await ctx.writer(), services.catalog, day, *aim,
                                             reason, user.id, ctx.now(), services.settings.zone)
    text = admin.closed(t, day, admin.target_name(t, services.catalog, *aim),
                        len(cancelled), new)
    if edit:
        _show(update, ctx, text)
    else:
        _say(update, ctx, text)
    kick_dispatch(ctx)


async def open_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    day, aim, _ = day_and_target(ctx.args or [], scope, _today(ctx), only_id=True)
    if aim is None:
        return _say(update, ctx, admin.need_target(t))
    existed = await closing.open_day(await ctx.writer(), ctx.services.catalog, day, *aim,
                                     ctx.now(), ctx.services.settings.zone)
    name = admin.target_name(t, ctx.services.catalog, *aim)
    _say(update, ctx, admin.opened(t, day, name, existed))


async def export_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    first, last = parse_range(ctx.args or [], _today(ctx))
    zone = ctx.services.settings.zone
    found_bookings = await bookings_in(ctx.conn, scope, first, last, zone)
    data = reports.to_csv(found_bookings, ctx.services.catalog, zone)
    ctx.reply.document(data, f"rantevou-{first}_{last}.csv",
                       reports.export_caption(t, first, last, len(found_bookings)))


async def stats_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    first, last = parse_range(ctx.args or [], _today(ctx), default_days=30)
    zone = ctx.services.settings.zone
    found_bookings = await bookings_in(ctx.conn, scope, first, last, zone)
    ratings = await ratings_of(ctx.conn, found_bookings)
    numbers = stats(found_bookings, zone, ratings)
    lengths, offers = await waiting_in(ctx.conn, scope, first, last, zone)
    _say(update, ctx, "\n".join([
        reports.stats_text(t, ctx.services.catalog, first, last, numbers),
        *reports.waiting_lines(t, ctx.services.catalog, lengths, offers)]))


async def reload_command(update: Update, ctx: Context, scope: Scope, t: Translator) -> None:
    """Read the catalog again; apply it only if it is valid (the times it opens offered to
    the waitlist), and say what changed."""
    services = ctx.services
    try:
        fresh = load_catalog(services.settings.catalog_path)
    except CatalogError as error:
        return _say(update, ctx, admin.reload_failed(t, str(error)))
    report = await apply_catalog(await ctx.writer(), services.catalog, fresh,
                                 services.settings.zone, ctx.now())
    services.catalog = fresh
    kick_dispatch(ctx)  # the times it opened, offered to the waitlist
    gone = [entry.split(":", 1)[1] for entry in report.removed if entry.startswith("service:")]
    orphaned = await lookups.upcoming_of_services(ctx.conn, gone, ctx.now())
    _say(update, ctx, admin.reload_done(t, report.added, report.changed,
                                        report.removed, len(orphaned)))


def _show(update: Update, ctx: Context, text: str) -> None:
    """In the message whose button was pressed."""
    if pressed := pressed_message(update):
        ctx.reply.edit(pressed, text)
    else:
        _say(update, ctx, text)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    commands: dict[str, AdminCommand] = {
        "admin": admin_command, "close": close_command, "open": open_command,
        "export": export_command, "stats": stats_command, "reload": reload_command,
    }
    return [
        *(CommandHandler(name, as_admin(callback)) for name, callback in commands.items()),
        CommandHandler("agenda", as_admin(agenda_command, agenda_scope)),
        CommandHandler("today", as_admin(today_command, agenda_scope)),
        CallbackQueryHandler(close_confirmed, pattern=callbacks.pattern("cl", "cn")),
    ]
