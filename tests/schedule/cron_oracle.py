#!/usr/bin/python3
"""tests/schedule/cron_oracle.py - the cron scheduler's fire times (rat_schedule_next(),
through tests/tools/cron_tool.c) against a brute-force oracle: Python's zoneinfo, minute
by minute, with its own cron parser (nothing of the project is imported).

    cron_oracle.py --tool PATH [--seed N] [--count N] [--starts N] [--croniter N]
                   [--zones Z,Z,...] [--break RULE]

What is compared. --count random expressions (5,000 by default), spread evenly over the
zones (five by default, all with DST: a 30-minute one, Lord Howe; a 45-minute offset,
Chatham; Santiago's changes at midnight; two northern ones), biased toward what is hard:
fixed hours near the zones' changes (0-3, 23), hour `*` and `*/n`, steps, ranges, lists,
names, day-of-week 7, both day fields restricted, presets now and then, and some that can
never fire (Feb 30, Apr 31), which the C must refuse (RAT_EINVALID) and the oracle must
never fire; with them, malformed ones (BAD), which it must refuse naming the field. For
each expression, --starts random instants (ms, some on whole minutes)
uniform over START_LO..START_HI (2025-01-01 .. 2028-01-01 UTC), one in three of them near
one of the zone's changes of offset instead (in the three days before it, or the two hours
either side). From each, the C gives the next 50 fire times, each the next after the one
before; the oracle's are its fires after the start and before WINDOW_END (2029-01-01 UTC).
Compared: the next 50 fires or all the oracle's fires before WINDOW_END, whichever are
fewer; when the oracle has fewer than 50 there, the C's first fire after them must be at
or after WINDOW_END (a fire decades away included: RAT_ENOTFOUND fails the test).

The oracle. Per zone, the UTC offset of every UTC minute of the window (the changes found
by scanning zoneinfo hour by hour and bisecting to the minute, checked against
datetime.astimezone at sample minutes and around every change), hence each real minute's
wall clock: its local day (month, day of month, day of week), hour and minute. A real
minute matches when its wall clock does (day: both day fields when one of them starts
with `*`, else either). Then the time-zone rules (include/rat/schedule.h):
  - hour field starting with `*`: every matching real minute fires (a wall minute the
    clocks skip never fires, one they repeat fires twice);
  - otherwise: a real minute whose wall time was already shown (after the clocks went
    back) does not fire, and each forward jump whose skipped wall minutes (on their own
    local dates) contain a match fires once, at the jump instant.
The evaluation is vectorised with numpy (per zone, the real minutes are indexed by their
wall minute of the day, so an expression only looks at the minutes whose wall hour and
minute it names; one naming many looks at all of them).

croniter (python3-croniter), when installed, is run for --croniter expressions (their
first start) and how it differs from the oracle is counted and shown: information only,
never a failure (croniter has its own rules for DST). --break RULE breaks the oracle on
purpose, to show that the comparison catches a wrong DST rule: repeat (fixed hours fire
on a repeated wall time twice), jump (no fire at a jump) or star (an hour field starting
with `*` read as a fixed one). Exit status 0 when all agree, 1 on a mismatch, 2 when the
tool fails.
"""
import argparse
import datetime as dt
import random
import subprocess
import sys
import threading
import time
from zoneinfo import ZoneInfo

import numpy as np

try:
    import croniter as croniter_mod
except ImportError:  # the test still runs without it
    croniter_mod = None

ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago',
         'Pacific/Chatham']
UTC = dt.timezone.utc
MS = 60000  # ms in a minute


def _minute(y, m, d):
    return int(dt.datetime(y, m, d, tzinfo=UTC).timestamp()) // 60


WINDOW_START = _minute(2024, 12, 1)  # the oracle's first real minute (before any start)
START_LO, START_HI = _minute(2025, 1, 1), _minute(2028, 1, 1)
WINDOW_END = _minute(2029, 1, 1)     # fires compared up to here (exclusive)
FIRES = 50
RAT_EINVALID, RAT_ENOTFOUND = -5, -3
WALL_MINUTES_INDEXED = 240  # up to this many wall minutes, look only at theirs

# ---------------------------------------------------------------- the cron parser

MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
FIELDS = [('minute', 0, 59, None), ('hour', 0, 23, None), ('day of month', 1, 31, None),
          ('month', 1, 12, MONTHS), ('day of week', 0, 7, DAYS)]
PRESETS = {'hourly': '0 * * * *', 'daily': '0 0 * * *', 'daily_6am': '0 6 * * *',
           'daily_midnight': '0 0 * * *', 'weekly': '0 0 * * 0', 'monthly': '0 0 1 * *',
           'every_15min': '*/15 * * * *', 'every_30min': '*/30 * * * *',
           '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *',
           '@weekly': '0 0 * * 0', '@monthly': '0 0 1 * *', '@yearly': '0 0 1 1 *',
           '@annually': '0 0 1 1 *'}


class CronError(ValueError):
    """An expression the scheduler must refuse; field is the field's name or None."""

    def __init__(self, field, why):
        super().__init__(f'{field or "expression"}: {why}')
        self.field = field


class Cron:
    """A parsed expression: a boolean table per field and the `*` flags."""

    def __init__(self, text):
        self.text = PRESETS.get(text.lower(), text)
        if text.startswith('@') and text.lower() not in PRESETS:
            raise CronError(None, 'not a preset')
        parts = self.text.split()
        if len(parts) != 5:
            raise CronError(None, 'five fields are needed')
        tables = [parse_field(p, f) for p, f in zip(parts, FIELDS)]
        self.minute, self.hour, self.dom, self.month, self.dow = tables
        self.hour_star = parts[1].startswith('*')
        self.dom_star = parts[2].startswith('*')
        self.dow_star = parts[4].startswith('*')

    def days(self, month, dom, dow):
        """Whether each day (arrays of its month, day of month, weekday) matches."""
        a, b = self.dom[dom], self.dow[dow]
        both = a & b if (self.dom_star or self.dow_star) else a | b
        return self.month[month] & both

    def wall_minutes(self):
        """The table of the wall minutes of the day (h * 60 + m) that match."""
        return (self.hour[:, None] & self.minute[None, :]).reshape(-1)


def parse_value(text, names, lo):
    if text.isdigit():
        return int(text)
    if names and text.lower() in names:
        return lo + names.index(text.lower())
    return None


def parse_field(text, field):
    name, lo, hi, names = field
    table = np.zeros(hi + 1, dtype=bool)
    for item in text.split(','):
        base, slash, step_text = item.partition('/')
        step = int(step_text) if step_text.isdigit() else 0
        if slash and step < 1:
            raise CronError(name, 'a step is a number from 1')
        if base == '*':
            a, b = lo, hi
        else:
            first, dash, last = base.partition('-')
            a = parse_value(first, names, lo)
            b = parse_value(last, names, lo) if dash else (hi if slash else a)
            if a is None or b is None:
                raise CronError(name, 'not a number, a name or a range')
        if a < lo or b > hi or a > b:
            raise CronError(name, 'out of range')
        table[a:b + 1:step or 1] = True
    if name == 'day of week':
        table[0] |= table[7]
        table = table[:7]
    return table


# 2000-01-01 .. 2027-12-31: every (month, day, weekday) a date can have (28 years
# of one century: Feb 29 on each weekday)
_CYCLE = np.arange(np.datetime64('2000-01-01'), np.datetime64('2028-01-01'))


def day_fields(days):
    """Month, day of month and weekday (Sunday 0) of datetime64[D] days."""
    months = days.astype('datetime64[M]')
    month = months.astype(np.int64) % 12 + 1
    dom = (days - months).astype(np.int64) + 1
    dow = (days.astype(np.int64) + 4) % 7  # 1970-01-01 was a Thursday
    return month, dom, dow


_CYCLE_FIELDS = day_fields(_CYCLE)


def can_fire(cron):
    return bool(cron.days(*_CYCLE_FIELDS).any())


# ---------------------------------------------------------------- zones, minute by minute

def offset_at(zone, minute):
    """The zone's UTC offset (minutes) at a UTC minute, per zoneinfo."""
    off = dt.datetime.fromtimestamp(minute * 60, UTC).astimezone(zone).utcoffset()
    secs = int(off.total_seconds())
    assert secs % 60 == 0, f'{zone}: an offset of {secs} s'
    return secs // 60


def zone_changes(zone):
    """The zone's changes of offset in the window, (minute, before, after): found hour by
    hour and bisected to the minute."""
    found, prev = [], offset_at(zone, WINDOW_START)
    for hour in range(WINDOW_START, WINDOW_END + 60, 60):
        cur = offset_at(zone, hour)
        if cur == prev:
            continue
        lo, hi = hour - 60, hour  # offset prev at lo, cur at hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if offset_at(zone, mid) == prev else (lo, mid)
        if hi < WINDOW_END:
            found.append((hi, prev, cur))
        prev = cur
    return found


class ZoneTable:
    """Every real minute of the window in one zone, as its wall clock shows it."""

    def __init__(self, name):
        self.name, self.zone = name, ZoneInfo(name)
        self.changes = zone_changes(self.zone)  # (minute, before, after)

    def build(self, break_rule=None):
        """The wall clock of every real minute (dropped again by drop())."""
        self.break_rule = break_rule
        n = WINDOW_END - WINDOW_START
        off = np.full(n, offset_at(self.zone, WINDOW_START), dtype=np.int64)
        for at, _, after in self.changes:
            off[at - WINDOW_START:] = after
        wall = np.arange(WINDOW_START, WINDOW_END, dtype=np.int64) + off
        day = wall // 1440
        self.day0 = int(day[0]) - 1
        self.dayi = (day - self.day0).astype(np.int32)
        self.mod = (wall % 1440).astype(np.int16)
        self.local = (wall - self.day0 * 1440).astype(np.int32)  # the wall minute from day0
        days = np.arange(self.day0, int(day.max()) + 2).astype('datetime64[D]')
        self.day_month, self.day_dom, self.day_dow = day_fields(days)
        seen = np.maximum.accumulate(wall)
        self.second = np.zeros(n, dtype=bool)  # wall time shown before: clocks went back
        self.second[1:] = wall[1:] <= seen[:-1]
        if break_rule == 'repeat':
            self.second[:] = False
        self.order = np.argsort(self.mod, kind='stable')  # real minutes by wall minute
        self.bounds = np.searchsorted(self.mod[self.order], np.arange(1441))
        self.jumps = []  # (jump minute, local day indices, wall minutes of the day skipped)
        for at, before, after in self.changes:
            if after > before and break_rule != 'jump':
                skipped = np.arange(at + before, at + after)
                self.jumps.append((at, (skipped // 1440 - self.day0).astype(np.int32),
                                   (skipped % 1440).astype(np.int16)))
        self._check(off)

    def drop(self):
        for name in ('dayi', 'mod', 'local', 'second', 'order', 'bounds', 'jumps'):
            delattr(self, name)

    def _check(self, off):
        """The table against datetime.astimezone: random minutes and every change."""
        rng = random.Random(1)
        sample = [rng.randrange(WINDOW_START, WINDOW_END) for _ in range(2000)]
        for at, _, _ in self.changes:
            sample += range(at - 3, at + 3)
        for minute in sample:
            local = dt.datetime.fromtimestamp(minute * 60, UTC).astimezone(self.zone)
            i = minute - WINDOW_START
            day = int(self.dayi[i])
            got = (int(self.day_month[day]), int(self.day_dom[day]),
                   int(self.day_dow[day]), int(self.mod[i]), int(off[i]))
            want = (local.month, local.day, local.isoweekday() % 7,
                    local.hour * 60 + local.minute, int(local.utcoffset().total_seconds()) // 60)
            assert got == want, f'{self.name} at minute {minute}: table {got}, zoneinfo {want}'

    def fires(self, cron):
        """The expression's fire times in the window: ms since the epoch, ascending."""
        walls = np.flatnonzero(cron.wall_minutes())
        days_ok = cron.days(self.day_month, self.day_dom, self.day_dow)
        if len(walls) > WALL_MINUTES_INDEXED:  # many wall minutes: look at every real minute
            matches = (days_ok[:, None] & cron.wall_minutes()[None, :]).reshape(-1)
            idx = np.flatnonzero(matches[self.local])  # does its wall clock match?
        elif len(walls):
            idx = np.concatenate([self.order[self.bounds[w]:self.bounds[w + 1]] for w in walls])
            idx = np.sort(idx[days_ok[self.dayi[idx]]])
        else:
            idx = np.zeros(0, dtype=np.int64)
        minutes = idx + WINDOW_START
        if not cron.hour_star or self.break_rule == 'star':
            minutes = minutes[~self.second[idx]]
            table = cron.wall_minutes()
            jumps = [at for at, days, walls in self.jumps if (days_ok[days] & table[walls]).any()]
            if jumps:
                minutes = np.unique(np.concatenate([minutes, np.array(jumps, dtype=np.int64)]))
        return minutes * MS

    def iso(self, ms):
        return dt.datetime.fromtimestamp(ms / 1000, self.zone).isoformat()


# ---------------------------------------------------------------- random expressions

NEVER = ['30 2 *', '31 2 *', '30,31 feb *', '31 4 *', '31 apr,jun,sep,nov *', '30-31 2 *',
         '31 2,4 */2', '30 FEB */3']
# refused for their syntax: (expression, the field the message must name or None)
BAD = [('60 * * * *', 'minute'), ('* 24 * * *', 'hour'), ('* * 0 * *', 'day of month'),
       ('* * 32 * *', 'day of month'), ('* * * 13 *', 'month'), ('* * * * 8', 'day of week'),
       ('5-1 * * * *', 'minute'), ('*/0 * * * *', 'minute'), ('* * * foo *', 'month'),
       ('* * * * mon-', 'day of week'), ('1,,2 * * * *', 'minute'), ('? * * * *', 'minute'),
       ('* * * * * *', None), ('* * * *', None), ('@fortnightly', None), ('', None)]


def _pick(rng, lo, hi, likely=()):
    return rng.choice(likely) if likely and rng.random() < 0.6 else rng.randint(lo, hi)


def _spell(rng, v, names=None, base=0):
    """v as a number (now and then with a leading zero) or, for a field with names, a name."""
    if names and v - base < len(names) and rng.random() < 0.4:
        name = names[v - base]
        return rng.choice([name, name.upper(), name.capitalize()])
    return f'{v:02d}' if rng.random() < 0.05 else str(v)


def gen_field(rng, lo, hi, names=None, likely=(), weights=None):
    """One random field: `*`, a value, a range, a step, a list of those."""
    kinds = ['*', 'value', 'range', 'step', 'from_step', 'range_step', 'list']
    kind = rng.choices(kinds, weights or [3, 4, 2, 2, 1, 1, 2])[0]
    if kind == '*':
        return '*'
    if kind == 'value':
        return _spell(rng, _pick(rng, lo, hi, likely), names, lo)
    if kind == 'step':
        return f'*/{rng.randint(1, max(2, (hi - lo) // 2))}'
    if kind == 'from_step':
        first = _spell(rng, _pick(rng, lo, hi, likely), names, lo)
        return f'{first}/{rng.randint(2, max(2, (hi - lo) // 3))}'
    if kind in ('range', 'range_step'):
        a = rng.randint(lo, hi - 1)
        b = rng.randint(a + 1, min(hi, a + rng.choice([1, 2, 3, hi - lo])))
        text = f'{_spell(rng, a, names, lo)}-{_spell(rng, b, names, lo)}'
        return text + (f'/{rng.randint(2, 5)}' if kind == 'range_step' else '')
    items = {gen_field(rng, lo, hi, names, likely, [0, 6, 2, 0, 1, 1, 0])
             for _ in range(rng.randint(2, 4))}
    return ','.join(sorted(items))


def gen_expr(rng):
    r = rng.random()
    if r < 0.03:
        name = rng.choice(sorted(PRESETS))
        return name.upper() if rng.random() < 0.2 else name
    minute = gen_field(rng, 0, 59, likely=(0, 15, 30, 45, 59))
    if r < 0.045:
        return f'{minute} {gen_field(rng, 0, 23, likely=(0, 1, 2, 3))} {rng.choice(NEVER)}'
    hour = rng.choices([
        lambda: _spell(rng, _pick(rng, 0, 23, (0, 1, 2, 3, 23))),
        lambda: ','.join(sorted({str(_pick(rng, 0, 23, (0, 1, 2, 3, 23))) for _ in range(3)})),
        lambda: rng.choice(['1-3', '0-2', '22-23', '23', '2-4/2', '1/2', '0-23']),
        lambda: '*',
        lambda: f'*/{rng.choice([2, 3, 4, 5, 6, 8, 12, 23])}',
        lambda: gen_field(rng, 0, 23, likely=(0, 1, 2, 3, 23))], [30, 10, 10, 20, 15, 15])[0]()
    dom = gen_field(rng, 1, 31, likely=(1, 15, 28, 29, 30, 31), weights=[10, 4, 2, 2, 1, 1, 2])
    month = gen_field(rng, 1, 12, MONTHS, (2, 3, 4, 9, 10, 11), [10, 3, 2, 2, 1, 1, 2])
    dow = gen_field(rng, 0, 7, DAYS, (0, 6, 7), [10, 4, 2, 2, 1, 1, 2])
    sep = ' ' if rng.random() < 0.95 else '  '
    return sep.join([minute, hour, dom, month, dow])


def gen_starts(rng, table, n):
    """n start instants (ms): uniform, or (one in three) in the three days before a change
    of offset, or in the two hours either side of one."""
    near = [at for at, _, _ in table.changes if START_LO + 4320 <= at < START_HI - 120]
    starts = []
    for i in range(n):
        if near and i % 3 == 2:
            before = rng.randrange(4320) if rng.random() < 0.6 else rng.randrange(-120, 120)
            ms = (rng.choice(near) - before) * MS - rng.randrange(MS)
        else:
            ms = rng.randrange(START_LO * MS, START_HI * MS)
        starts.append(ms - ms % MS if rng.random() < 0.3 else ms)
    return starts


# ---------------------------------------------------------------- the C, and comparing

def run_tool(tool, lines, result):
    """The tool's answer to lines, into result['out'] (run in a thread)."""
    proc = subprocess.run([tool], input=''.join(lines), capture_output=True, text=True)
    result['out'], result['err'], result['rc'] = proc.stdout, proc.stderr, proc.returncode


def parse_answer(line):
    """(fire times, error code or None, message) of one line of the tool."""
    words = line.split(' ')
    if 'ERR' not in words:
        return [int(w) for w in words if w], None, ''
    k = words.index('ERR')
    return [int(w) for w in words[:k]], int(words[k + 1]), ' '.join(words[k + 2:])


def compare(oracle, got, err):
    """None when the C's fires agree with the oracle's, else what differs."""
    n = len(oracle)
    if got[:n] != oracle:
        return 'the fire times differ'
    if n == FIRES:
        return None
    if len(got) > n:
        return None if got[n] >= WINDOW_END * MS else 'the C fires where the oracle does not'
    return f'the C stops after {len(got)} fires ({err})'


def show(table, seq, mark):
    lo = max(0, mark - 2)
    items = [f'#{i} {table.iso(ms)}' for i, ms in enumerate(seq[lo:mark + 4], lo)]
    return ', '.join(items) + (' ...' if len(seq) > mark + 4 else '') if items else '(none)'


def report_mismatch(m):
    table, expr, start, got, err, msg, oracle, why = m
    mark = next((i for i, (a, b) in enumerate(zip(got, oracle)) if a != b),
                min(len(got), len(oracle)))
    print(f'MISMATCH {expr!r} in {table.name}, after {table.iso(start)} ({start} ms): {why}, '
          f'from fire #{mark}')
    print(f'    C:      {show(table, got, mark)}' + (f' ERR {err} {msg}' if err else ''))
    print(f'    oracle: {show(table, oracle, mark)}')


# ---------------------------------------------------------------- croniter, for information

def croniter_fires(expr, table, start):
    it = croniter_mod.croniter(PRESETS.get(expr.lower(), expr),
                               dt.datetime.fromtimestamp(start / 1000, table.zone))
    out = []
    while len(out) < FIRES:
        ms = int(it.get_next(dt.datetime).timestamp()) * 1000
        if ms >= WINDOW_END * MS:
            break
        out.append(ms)
    return out


def croniter_category(expr, table, oracle, theirs):
    """Where croniter's fires first differ from the oracle's."""
    i = next((i for i, (a, b) in enumerate(zip(oracle, theirs)) if a != b),
             min(len(oracle), len(theirs)))
    if i == len(oracle) == len(theirs):
        return 'same'
    at = min(seq[i] for seq in (oracle, theirs) if i < len(seq)) // MS
    for change, before, after in table.changes:
        if abs(at - change) <= 180:
            return 'in a DST gap' if after > before else 'in a repeated hour'
    shifts = {abs(after - before) for _, before, after in table.changes}
    if i < min(len(oracle), len(theirs)) and abs(theirs[i] - oracle[i]) // MS in shifts:
        return 'elsewhere: a DST shift off, away from the change'
    dom, dow = PRESETS.get(expr.lower(), expr).split()[2:5:2]
    if '*' not in (dom, dow) and (dom.startswith('*') or dow.startswith('*')):
        return 'elsewhere: a day field "*/n" with the other restricted (croniter: either day)'
    return 'elsewhere: other'


def croniter_report(cases):
    """Counts of how croniter differs from the oracle, and examples of each."""
    if croniter_mod is None:
        print('croniter: python3-croniter is missing: not compared')
        return
    try:
        from importlib.metadata import version as dist_version
        version = dist_version('croniter')
    except Exception:  # not installed as a distribution: no version to say
        version = '?'
    counts, examples = {}, {}
    for table, expr, start, oracle in cases:
        try:
            theirs = croniter_fires(expr, table, start)
            cat = croniter_category(expr, table, oracle, theirs)
        except Exception as e:  # croniter's own refusals and failures: counted
            theirs, cat = f'{type(e).__name__}: {e}', 'raises'
        counts[cat] = counts.get(cat, 0) + 1
        shown = examples.setdefault(cat, [])
        if cat != 'same' and len(shown) < 3 and all(t is not table for t, *_ in shown):
            shown.append((table, expr, start, oracle, theirs))
    print(f'croniter {version} against the oracle, {len(cases)} expressions (their first start;'
          ' information only, not a failure):')
    for cat, n in sorted(counts.items()):
        print(f'  {n:4d} {cat}')
    for cat, items in sorted(examples.items()):
        for table, expr, start, oracle, theirs in items:
            print(f'  {cat}: {expr!r} in {table.name} after {table.iso(start)}')
            if isinstance(theirs, str):
                print(f'    croniter raises {theirs[:150]}')
                continue
            mark = next((i for i, (a, b) in enumerate(zip(oracle, theirs)) if a != b),
                        min(len(oracle), len(theirs)))
            print(f'    oracle:   {show(table, oracle, mark)}')
            print(f'    croniter: {show(table, theirs, mark)}')


# ---------------------------------------------------------------- the run

def make_cases(rng, tables, count, starts):
    """[(table, expression, start ms)] and the tool's input lines for them."""
    cases = [(tables[0], expr, 0) for expr, _ in BAD]
    for i, table in enumerate(tables):
        exprs = set()
        while len(exprs) < count // len(tables) + (i < count % len(tables)):
            expr = gen_expr(rng)
            if expr not in exprs:  # each zone's expressions all differ
                exprs.add(expr)
                cases += [(table, expr, ms) for ms in gen_starts(rng, table, starts)]
    lines = [f'{expr}\t{table.name}\t{ms}\t{FIRES}\n' for table, expr, ms in cases]
    return cases, lines


def oracle_answers(cases, tables, break_rule):
    """Per case: the oracle's fires after its start (a list, the first FIRES of them before
    WINDOW_END), or a CronError, or 'never' for an expression that can never fire."""
    answers, memo = [], {}
    for table in tables:
        table.build(break_rule)
        for case in cases:
            t, expr, start = case
            if t is not table:
                continue
            if expr not in memo or memo[expr][0] is not table:
                try:
                    cron = Cron(expr)
                    fires = table.fires(cron)
                    memo[expr] = (table, fires if can_fire(cron) else 'never')
                    if not can_fire(cron) and len(fires):  # the oracle's own consistency
                        raise AssertionError(f'{expr!r}: cannot fire, yet fires in {t.name}')
                except CronError as e:
                    memo[expr] = (table, e)
            fires = memo[expr][1]
            if isinstance(fires, np.ndarray):
                i = int(np.searchsorted(fires, start, side='right'))
                fires = fires[i:i + FIRES].tolist()
            answers.append((case, fires))
        table.drop()
    return answers


def next_day(expr, table, ms):
    """The first local day on or after that of ms (in the next century) that expr matches."""
    day = np.datetime64(dt.datetime.fromtimestamp(ms / 1000, table.zone).date())
    days = np.arange(day, day + 36525)
    ok = Cron(expr).days(*day_fields(days))
    return str(days[ok.argmax()]) if ok.any() else 'none in a century'


def check(case, oracle, line):
    """None when the C's answer is right, else why not; and a note when worth one."""
    table, expr, start = case
    got, err, msg = parse_answer(line)
    if isinstance(oracle, CronError):
        where = f': {oracle.field} field'
        ok = err == RAT_EINVALID and not got and (oracle.field is None or where in msg)
        return (None if ok else f'must be refused (RAT_EINVALID, "{where[2:]}")'), None
    if oracle == 'never':
        ok = err == RAT_EINVALID and not got
        return (None if ok else 'can never fire: must be refused (RAT_EINVALID)'), None
    if err is not None and not msg.startswith('next: '):
        return f'refused: ERR {err} {msg}', None
    if err == RAT_ENOTFOUND:  # a fire decades away is a fire: the C must find it
        last = f'{len(got)} fires, the last {table.iso(got[-1])}' if got else 'no fire'
        return (f'{last}, then RAT_ENOTFOUND ({msg[6:]}); its next day is '
                f'{next_day(expr, table, got[-1] + 86400000 if got else start)}'), None
    if err is not None:
        return f'rat_schedule_next() fails: ERR {err} {msg[6:]}', None
    return compare(oracle, got, err), None


def dst_coverage(answers):
    """How many compared fires are at a jump, and how many in an hour that repeats."""
    at_jump = repeated = 0
    for (table, _, _), oracle in answers:
        if not isinstance(oracle, list) or not oracle:
            continue
        fires = np.array(oracle) // MS
        for at, before, after in table.changes:
            if after > before:
                at_jump += int((fires == at).sum())
            else:
                back = before - after  # the real minutes whose wall time repeats
                repeated += int(((fires >= at - back) & (fires < at + back)).sum())
    return at_jump, repeated


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tool', required=True, help='tests/tools/cron_tool, built')
    ap.add_argument('--seed', type=int, help='replay a run (default: a new seed, printed)')
    ap.add_argument('--count', type=int, default=5000, help='random expressions (5000)')
    ap.add_argument('--starts', type=int, default=3, help='start instants per expression (3)')
    ap.add_argument('--croniter', type=int, default=500, help='expressions croniter is run on')
    ap.add_argument('--zones', default=','.join(ZONES), help='IANA zones, comma separated')
    ap.add_argument('--break', dest='break_rule', choices=['repeat', 'jump', 'star'],
                    help='break the oracle on purpose (to see the test fail)')
    return ap.parse_args()


def main():
    args = parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    print(f'cron_oracle: seed {seed} (replay with --seed {seed}), {args.count} expressions, '
          f'{args.starts} starts each, zones {args.zones}', flush=True)
    began = time.monotonic()
    rng = random.Random(seed)
    tables = [ZoneTable(name) for name in args.zones.split(',')]
    cases, lines = make_cases(rng, tables, args.count, args.starts)
    tool = {}
    worker = threading.Thread(target=run_tool, args=(args.tool, lines, tool))
    worker.start()  # the C works while the oracle does
    answers = oracle_answers(cases, tables, args.break_rule)
    oracle_done = time.monotonic()
    worker.join()
    out = tool['out'].split('\n')[:-1]
    if tool['rc'] != 0 or len(out) != len(cases):
        print(f'cron_tool failed (status {tool["rc"]}, {len(out)} lines for {len(cases)}):\n'
              f'{tool["err"][-3000:]}')
        return 2
    mismatches, notes, compared, refused = [], [], 0, set()
    for (case, oracle), line in zip(answers, out):
        why, note = check(case, oracle, line)
        if note:
            notes.append(note)
        if isinstance(oracle, list):
            compared += len(oracle)
        elif oracle == 'never':
            refused.add((case[0].name, case[1]))
        if why:
            got, err, msg = parse_answer(line)
            want = oracle if isinstance(oracle, list) else []
            mismatches.append((case[0], case[1], case[2], got, err, msg, want, why))
    for m in mismatches[:10]:
        report_mismatch(m)
    for note in notes[:5]:
        print(f'note: {note}')
    if len(notes) > 5:
        print(f'note: ... {len(notes) - 5} more')
    at_jump, repeated = dst_coverage(answers)
    checked = time.monotonic()
    sample, per_zone = [], {}
    for (case, oracle) in answers:
        table, expr, start = case
        if isinstance(oracle, list) and expr not in {c[1] for c in sample} and \
                per_zone.get(table.name, 0) < args.croniter // len(tables):
            per_zone[table.name] = per_zone.get(table.name, 0) + 1
            sample.append((table, expr, start, oracle))
    croniter_report(sample)
    done = time.monotonic()
    print(f'cron_oracle: {args.count} random expressions ({len(refused)} never fire) and '
          f'{len(BAD)} malformed, {len(tables)} zones, {len(cases)} starts, {compared} fires '
          f'compared ({at_jump} at a jump, {repeated} in a repeated hour), '
          f'{len(mismatches)} mismatches; {done - began:.1f} s (oracle '
          f'{oracle_done - began:.1f} s, C {checked - began:.1f} s alongside, croniter '
          f'{done - checked:.1f} s), seed {seed}')
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
