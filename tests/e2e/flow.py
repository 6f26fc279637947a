"""The seed's Chios booking, scripted step by step, for end-to-end tests to walk."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.chat import Citizen

NAME = "Σοφία Παπαδοπούλου"
EMAIL = "sofia@example.com"
PHONE = "306912345678"  # as Telegram sends a shared contact
THIRD = "third@example.com"

# What identifies each step's screen, in Greek and in English.
MARKERS = {
    "el": {
        "municipality": "Επιλέξτε Δήμο",
        "group": "Επιλέξτε ομάδα υπηρεσιών",
        "service": "Επιλέξτε υπηρεσία",
        "channel": "Πώς επιθυμείτε να εξυπηρετηθείτε;",
        "day": "Επιλέξτε ημέρα",
        "time": "Επιλέξτε ώρα",
        "name": "Πληκτρολογήστε το ονοματεπώνυμό σας",
        "email": "Πληκτρολογήστε τη διεύθυνση ηλεκτρονικού ταχυδρομείου",
        "phone": "Κοινοποίηση τηλεφώνου",
        "address": "Πληκτρολογήστε τη διεύθυνσή σας",
        "notes": "Σημειώσεις (προαιρετικά)",
        "requirements": "Ενημερώστε μας αν έχετε ειδικές απαιτήσεις",
        "third_party": "Απαιτείται παρουσία τρίτου προσώπου στην τηλεδιάσκεψη;",
        "third_email": "του τρίτου συμμετέχοντα",
        "consent": "Υπεύθυνη δήλωση",
        "summary": "Ελέγξτε την κράτησή σας",
    },
    "en": {
        "municipality": "Choose your municipality",
        "group": "Choose a service group",
        "service": "Choose a service",
        "channel": "How would you like to be served?",
        "day": "Choose a day",
        "time": "Choose a time",
        "name": "Please type your full name",
        "email": "Please type your email address",
        "phone": "Share my phone",
        "address": "Please type your address",
        "notes": "Notes (optional)",
        "requirements": "special requirements",
        "third_party": "Will a third person join the video call?",
        "third_email": "email address of the third participant",
        "consent": "Declaration",
        "summary": "Please check your booking",
    },
}
LABELS = {
    "el": {"municipality": "ΔΗΜΟΣ ΧΙΟΥ", "group": "Κέντρα Συμβουλευτικής Υποστήριξης Γυναικών",
           "service": "Εργασιακή συμβουλευτική", "video": "🎥 Τηλεδιάσκεψη",
           "skip": "Παράλειψη", "yes": "Ναι", "accept": "✅ Αποδέχομαι", "book": "✅ Κράτηση",
           "back": "« Πίσω", "cancel": "✖ Ακύρωση"},
    "en": {"municipality": "Municipality of Chios", "group": "Counselling Centres for Women",
           "service": "Employment counselling", "video": "🎥 Video call",
           "skip": "Skip", "yes": "Yes", "accept": "✅ I accept", "book": "✅ Book",
           "back": "« Back", "cancel": "✖ Cancel"},
}
STEPS = list(MARKERS["el"])
DAY, TIME = "2", "09:30"  # Wednesday 2 December 2026, 09:30 Athens


def actions(c: Citizen, lang: str) -> dict[str, Callable[[], Awaitable[None]]]:
    """For each step, what the citizen does to get there from the step before."""
    label = LABELS[lang]
    return {
        "municipality": lambda: c.send("/start"),
        "group": lambda: c.press(label["municipality"]),
        "service": lambda: c.press(label["group"]),
        "channel": lambda: c.press(label["service"]),
        "day": lambda: c.press(label["video"]),
        "time": lambda: c.press(DAY),
        "name": lambda: c.press(TIME),
        "email": lambda: c.send(NAME),
        "phone": lambda: c.send(EMAIL),
        "address": lambda: c.share_contact(PHONE),
        "notes": lambda: c.press(label["skip"]),
        "requirements": lambda: c.press(label["skip"]),
        "third_party": lambda: c.press(label["skip"]),
        "third_email": lambda: c.press(label["yes"]),
        "consent": lambda: c.send(THIRD),
        "summary": lambda: c.press(label["accept"]),
    }


async def walk(c: Citizen, until: str, lang: str = "el", start: str = "municipality") -> None:
    """Do every step from `start` to `until` (both included), checking each screen."""
    todo = actions(c, lang)
    for step in STEPS[STEPS.index(start): STEPS.index(until) + 1]:
        await todo[step]()
        assert MARKERS[lang][step] in c.text, f"not at {step}: {c.text!r}"


async def book(c: Citizen, lang: str = "el") -> None:
    await walk(c, "summary", lang)
    await c.press(LABELS[lang]["book"])
