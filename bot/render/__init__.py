"""What people read: texts, keyboards, button data, dates, invitations."""
