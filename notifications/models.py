"""Notifications to senders and receivers (SNS, SES). Filled in by a later issue."""
