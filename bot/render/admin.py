"""What admins read in reply to their commands: help, closing and opening days, reloading."""

from __future__ import annotations

from datetime import date

from bot.domain.catalog import Catalog
from bot.render.formatting import long_date
from bot.render.html import esc
from bot.render.i18n import Translator


def not_allowed(t: Translator) -> str:
    return t._("You are not allowed to use this command.")


def admin_help(t: Translator) -> str:
    training = t._("Staff training")
    rows = [
        (t._("/agenda [DATE]"), t._("the day's bookings per department (default today)"),
         "/agenda 2026-12-10"),
        (t._("/close DATE [GROUP|SERVICE] REASON"),
         t._("close a day; its bookings are cancelled and the citizens told"),
         f"/close 2026-12-10 chios-kk {training}"),
        (t._("/open DATE [GROUP|SERVICE]"), t._("reopen a closed day"),
         "/open 2026-12-10 chios-kk"),
        (t._("/export FROM TO"), t._("the bookings as a CSV file for Excel"),
         "/export 2026-12-01 2026-12-31"),
        (t._("/stats [FROM TO]"), t._("bookings by service, channel and status; no-show "
                                      "rate; busiest days (default: the last 30 days)"),
         "/stats 2026-01-01 2026-12-31"),
        ("/reload", t._("read the catalog again and apply it if it is valid"), "/reload"),
    ]
    lines = ["<b>" + esc(t._("Admin commands")) + "</b>", ""]
    for command, what, example in rows:
        lines += [f"<code>{esc(command)}</code> — {esc(what)}",
                  esc(t._("Example: %(example)s") % {"example": example}), ""]
    lines.append(esc(t._("Dates: 2026-12-10, 10/12/2026, today or tomorrow. GROUP and "
                         "SERVICE are ids from the catalog.")))
    return "\n".join(lines)


def target_name(t: Translator, catalog: Catalog, kind: str, target_id: str) -> str:
    if kind == "municipality" and (municipality := catalog.municipality(target_id)):
        return municipality.name.get(t.locale)
    if kind == "group" and (found := catalog.group(target_id)):
        return found[1].name.get(t.locale)
    if kind == "service" and (service := catalog.service(target_id)):
        return service.service.name.get(t.locale)
    return target_id


def close_question(t: Translator, day: date, name: str, count: int) -> str:
    return esc(t.ngettext(
        "%(date)s, %(name)s: %(n)d booking will be cancelled and its citizen told, with "
        "the reason. Close the day?",
        "%(date)s, %(name)s: %(n)d bookings will be cancelled and their citizens told, with "
        "the reason. Close the day?",
        count,
    ) % {"date": long_date(day, t.locale), "name": name, "n": count})


def closed(t: Translator, day: date, name: str, cancelled: int, new: bool) -> str:
    text = (t._("%(date)s is now closed for %(name)s.") if new
            else t._("%(date)s was already closed for %(name)s.")) % {
        "date": long_date(day, t.locale), "name": name}
    if cancelled:
        text += " " + t.ngettext("%(n)d booking was cancelled; the citizen will be told.",
                                 "%(n)d bookings were cancelled; the citizens will be told.",
                                 cancelled) % {"n": cancelled}
    else:
        text += " " + t._("There were no bookings to cancel.")
    return esc(text)


def close_aborted(t: Translator) -> str:
    return esc(t._("Nothing was closed."))


def opened(t: Translator, day: date, name: str, existed: bool) -> str:
    text = (t._("%(date)s is open again for %(name)s.") if existed
            else t._("%(date)s was not closed for %(name)s.")) % {
        "date": long_date(day, t.locale), "name": name}
    return esc(text)


def need_reason(t: Translator) -> str:
    return esc(t._("Please add the reason, e.g. /close 2026-12-10 chios-kk Staff training"))


def need_target(t: Translator) -> str:
    return esc(t._("Please name the municipality, group or service, e.g. "
                   "/close 2026-12-10 chios-kk Staff training"))


def reload_failed(t: Translator, error: str) -> str:
    return esc(t._("The catalog was not applied; the current catalog stays in force. "
                   "Error: %(error)s")
               % {"error": error})


def reload_done(t: Translator, added: list[str], changed: list[str], removed: list[str],
                orphaned: int) -> str:
    if not (added or changed or removed):
        return esc(t._("The catalog was read again: no changes."))
    lines = [esc(t._("The catalog was applied."))]
    for title, items in ((t._("Added"), added), (t._("Changed"), changed),
                         (t._("Removed"), removed)):
        if items:
            lines.append(esc(f"{title}: {', '.join(items)}"))
    if orphaned:
        lines.append(esc(t.ngettext(
            "%(n)d upcoming booking belongs to a removed service; it is kept.",
            "%(n)d upcoming bookings belong to removed services; they are kept.",
            orphaned) % {"n": orphaned}))
    return "\n".join(lines)
