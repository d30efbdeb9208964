# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models
from odoo.tools.misc import format_date

TREND_HOURS = 24
TREND_DAYS = 14
# What a decision log line records: a lot released (by a decision, an
# override, or the lift of its last hold), or held or rejected.
RELEASED_DOMAIN = [
    ("action", "in", ("decision", "override", "lift")),
    ("disposition", "=", "released"),
]
HELD_DOMAIN = [
    ("action", "in", ("decision", "hold")),
    ("disposition", "in", ("hold", "rejected")),
]


class MfgCockpit(models.AbstractModel):
    """Trends over the last 24 hours by hour and 14 days by day: inbound
    events accepted, processed and dead; delivery attempts delivered and
    failed; lots released and held or rejected. Hours and days are those
    of the user's time zone, as _read_group groups them."""

    # Split by concern on purpose: the engine lives in mfg_cockpit.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mfg.cockpit"

    def _figures_event_trends(self):
        frame = self._trend_frame()
        inbound = [("direction", "=", "in")]
        accepted = self._trend_counts(
            "integration.event", inbound, "received_at", frame
        )
        outcomes = self._trend_counts(
            "integration.event",
            inbound + [("state", "in", ("processed", "dead"))],
            "processed_at",
            frame,
            split="state",
        )
        trend = self._trend_figure
        return {
            "trend_events_accepted": trend(
                frame, accepted[None], "integration.event", inbound, "received_at"
            ),
            "trend_events_processed": trend(
                frame,
                outcomes["processed"],
                "integration.event",
                inbound + [("state", "=", "processed")],
                "processed_at",
            ),
            "trend_events_dead": trend(
                frame,
                outcomes["dead"],
                "integration.event",
                inbound + [("state", "=", "dead")],
                "processed_at",
            ),
        }

    def _figures_delivery_trends(self):
        frame = self._trend_frame()
        connectors = (
            self.env["integration.connector"].with_context(active_test=False).search([])
        )
        # The log has no company: the user's connectors set its scope.
        attempts = [("kind", "=", "delivery"), ("connector_id", "in", connectors.ids)]
        by_state = self._trend_counts(
            "integration.log.entry", attempts, "logged_at", frame, split="state"
        )
        failed = self._trend_sum(
            series for state, series in by_state.items() if state != "delivered"
        )
        trend = self._trend_figure
        return {
            "trend_deliveries_delivered": trend(
                frame,
                by_state["delivered"],
                "integration.log.entry",
                attempts + [("state", "=", "delivered")],
                "logged_at",
            ),
            "trend_deliveries_failed": trend(
                frame,
                failed,
                "integration.log.entry",
                attempts + [("state", "!=", "delivered")],
                "logged_at",
            ),
        }

    def _figures_lot_trends(self):
        frame = self._trend_frame()
        model = "quality.lot.disposition.log"
        released = self._trend_counts(model, RELEASED_DOMAIN, "create_date", frame)
        held = self._trend_counts(model, HELD_DOMAIN, "create_date", frame)
        return {
            "trend_lots_released": self._trend_figure(
                frame, released[None], model, RELEASED_DOMAIN, "create_date"
            ),
            "trend_lots_held": self._trend_figure(
                frame, held[None], model, HELD_DOMAIN, "create_date"
            ),
        }

    # ------------------------------------------------------------------
    # Buckets
    # ------------------------------------------------------------------
    def _trend_frame(self):
        """The hours and days of the trends, local to the time zone in
        which _read_group groups (the context's), with their start in UTC."""
        tz_name = self.env.context.get("tz")
        tz = pytz.timezone(tz_name) if tz_name in pytz.all_timezones_set else pytz.utc
        now = pytz.utc.localize(fields.Datetime.now()).astimezone(tz)
        hour = now.replace(minute=0, second=0, microsecond=0, tzinfo=None)
        hours = [hour - timedelta(hours=n) for n in reversed(range(TREND_HOURS))]
        days = [hour.date() - timedelta(days=n) for n in reversed(range(TREND_DAYS))]

        def utc(local):
            return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

        return {
            "hours": hours,
            "days": days,
            "hour_start": utc(hours[0]),
            "day_start": utc(datetime.combine(days[0], time.min)),
        }

    def _trend_counts(self, model, domain, date_field, frame, split=None):
        """``{split value: [counts by hour], [counts by day]}`` of the
        records of ``domain`` by ``date_field``, in one query; the key is
        None without ``split`` (a field name)."""
        groupby = [f"{date_field}:hour"] + ([split] if split else [])
        groups = self.env[model]._read_group(
            domain + [(date_field, ">=", self._domain_time(frame["day_start"]))],
            groupby,
            ["__count"],
        )
        by_hour, by_day = defaultdict(int), defaultdict(int)
        for moment, *key, count in groups:
            series = key[0] if split else None
            by_hour[series, moment] += count
            by_day[series, moment.date()] += count
        return defaultdict(
            lambda: [[0] * TREND_HOURS, [0] * TREND_DAYS],
            {
                series: [
                    [by_hour[series, hour] for hour in frame["hours"]],
                    [by_day[series, day] for day in frame["days"]],
                ]
                for series in {series for series, _moment in by_hour}
            },
        )

    def _trend_sum(self, series_list):
        hours, days = [0] * TREND_HOURS, [0] * TREND_DAYS
        for series_hours, series_days in series_list:
            hours = [a + b for a, b in zip(hours, series_hours, strict=True)]
            days = [a + b for a, b in zip(days, series_days, strict=True)]
        return [hours, days]

    def _trend_figure(self, frame, counts, model, domain, date_field):
        """The figure of one series: the last 24 hours' total, a line by
        hour and bars by day."""
        hours, days = counts
        total = sum(hours)
        detail = self.env._(
            "In the last 24 h; %(total)s in 14 days, %(average)s a day.",
            total=self._format_count(sum(days)),
            average=self._format_count(round(sum(days) / TREND_DAYS)),
        )
        return self._figure(
            total,
            detail,
            model,
            domain + [(date_field, ">=", self._domain_time(frame["hour_start"]))],
            measure=self.env._("Count in the last 24 h"),
            line=(
                self.env._("Last 24 h, by hour"),
                [
                    (hour.strftime("%H:00"), count)
                    for hour, count in zip(frame["hours"], hours, strict=True)
                ],
            ),
            bars=(
                self.env._("Last 14 days, by day"),
                [
                    (format_date(self.env, day, date_format="EEE d"), count)
                    for day, count in zip(frame["days"], days, strict=True)
                ],
            ),
        )
