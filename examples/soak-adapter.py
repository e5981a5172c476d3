#!/usr/bin/env python3
"""soak-adapter.py - the reference adapter: a real bot as the engine of a soak.

    soak-run --warmup --preset maker_bias_uplift_v1 \\
        --engine 'python3 examples/soak-adapter.py --events ev'

soak-run(1) runs the engine as one stage of its ring: it writes one soak
record (soak-record(5)) per line to the engine's standard input and reads
the same record back, with a "summary" of KPIs, from its standard output.
This file shows that contract with a toy market-making bot and a tiny
in-process venue in place of your bot and your exchange's testnet; replace
ToyVenue and ToyBot, keep the rest.

The contract (what soak-run checks and the kit relies on):

  * One line out for each line in, in order, and nothing else on standard
    output (logs go to standard error).  Each line is written and flushed
    before the next one is read: the ring holds one record at a time, so an
    engine that buffers its output waits for ever.
  * "iteration", "params", "effective" and every other field of the record
    are passed on untouched: the adapter only adds "summary".  Copy the
    record; never rebuild it from the fields you know.
  * The bot runs with the record's "effective" parameters (the warm-up and
    guards applied), or "params" when there is no warm-up stage.
  * The summary is not computed here: the adapter logs what the bot saw and
    did as an execution-event log (soak-events(5)), one file per iteration,
    and passes the record through soak-measure(1), which computes every KPI
    from the log with the code the built-in simulator uses.  So the numbers
    of a real bot and of soak-mock mean the same thing.
  * A bad record or a failed iteration is an error on standard error and a
    non-zero exit: never a guessed summary.

Python 3 standard library only; deterministic for a given --seed and
iteration (no clock: the venue's time is simulated).
"""

import argparse
import json
import os
import random
import subprocess
import sys

PROG = "soak-adapter"


def die(message, status=2):
    """An error in soakkit's style on standard error, then exit."""
    sys.stderr.write("%s: %s\n" % (PROG, message))
    sys.stderr.flush()
    sys.exit(status)


class EventLog:
    """One iteration's soak-events(5) log: JSON lines in time order.  The
    venue reports some events ahead of time (an ack after its latency), so
    they are kept and written sorted by time (stable: same-time events in
    the order they happened) when the iteration ends."""

    def __init__(self, path):
        self.path = path
        self.events = []

    def write(self, t, ev, **fields):
        event = {"t": round(t, 6), "ev": ev}
        event.update(fields)
        self.events.append(event)

    def close(self):
        self.events.sort(key=lambda event: event["t"])
        with open(self.path, "w", encoding="utf-8") as f:
            for event in self.events:
                f.write(json.dumps(event, separators=(",", ":")) + "\n")


class ToyVenue:
    """A tiny limit-order venue: a random-walk mid; a resting quote fills
    when the mid crosses it (informed flow) or when a taker hits it at
    random (uninformed flow); an order is acknowledged after a latency."""

    def __init__(self, rng, log, mid=100.0, taker_rate=0.05):
        self.rng = rng
        self.taker_rate = taker_rate      # chance per step that a taker hits a quote
        self.log = log
        self.mid = mid
        self.orders = {}          # id -> {"side", "price", "qty"}, open orders
        self.next_id = 1

    def step(self, t, sigma_bps):
        """Move the mid one step; yield the quotes it crosses, filled."""
        self.mid *= 1.0 + self.rng.gauss(0.0, sigma_bps) * 1e-4
        for oid, order in list(self.orders.items()):
            crossed = (order["side"] == "buy" and self.mid <= order["price"]) or \
                      (order["side"] == "sell" and self.mid >= order["price"])
            hit = self.rng.random() < self.taker_rate     # an uninformed taker
            if crossed or hit:
                fee = -0.0001 * order["qty"] * order["price"]     # a maker rebate
                self.log.write(t, "fill", id=oid, side=order["side"], price=order["price"],
                               qty=order["qty"], liquidity="maker", fee=round(fee, 8))
                del self.orders[oid]
                yield order
        # the fills happened as the market moved through the quotes: their
        # reference mid is the one before this move
        self.log.write(t, "mid", price=round(self.mid, 6))

    def send(self, t, side, price, qty, kind, latency_s):
        """Send an order; a quote rests, a rescue fills at once against the mid."""
        oid = "o%d" % self.next_id
        self.next_id += 1
        price = round(price, 6)
        self.log.write(t, "send", id=oid, side=side, price=price, qty=qty, kind=kind)
        self.log.write(t + latency_s, "ack", id=oid)
        if kind == "rescue":
            fill_price = round(self.mid * (1.0005 if side == "buy" else 0.9995), 6)
            fee = 0.0005 * qty * fill_price
            self.log.write(t + latency_s, "fill", id=oid, side=side, price=fill_price, qty=qty,
                           liquidity="taker", fee=round(fee, 8))
            return None
        self.orders[oid] = {"side": side, "price": price, "qty": qty}
        return oid

    def cancel(self, t, oid):
        if oid in self.orders:
            del self.orders[oid]
            self.log.write(t, "cancel", id=oid)


class ToyBot:
    """Quotes both sides around the mid and requotes every min_interval_ms;
    stops quoting the side that grows its position past a fifth of the
    limit, and cuts it with a taker rescue past two fifths."""

    def __init__(self, params):
        self.spread_bps = 5.0 + 10.0 * params.get("base_spread_bps_delta", 0.14)
        self.interval_s = params.get("min_interval_ms", 65) / 1000.0
        self.qty = max(0.1, round(100.0 * params.get("impact_cap_ratio", 0.09), 3))
        self.limit = params.get("position_limit_notional", 10000.0)
        self.rescue_share = params.get("rescue_max_ratio", 0.3)
        self.latency_s = 0.02 + 0.005 * params.get("concurrency_limit", 4)
        self.position = 0.0

    def run(self, venue, duration_s, sigma_bps):
        t, quotes = 0.0, []
        while t < duration_s:
            for oid in quotes:
                venue.cancel(t, oid)
            half = venue.mid * self.spread_bps * 1e-4 / 2.0
            exposure = self.position * venue.mid / self.limit    # -1 .. 1 at the limit
            quotes = []
            if exposure < 0.2:      # long enough: stop buying
                quotes.append(venue.send(t, "buy", venue.mid - half, self.qty, "quote",
                                         self.latency_s))
            if exposure > -0.2:     # short enough: stop selling
                quotes.append(venue.send(t, "sell", venue.mid + half, self.qty, "quote",
                                         self.latency_s))
            t += max(self.interval_s, 2 * self.latency_s)
            for filled in venue.step(t, sigma_bps):
                self.position += filled["qty"] if filled["side"] == "buy" else -filled["qty"]
                quotes = [q for q in quotes if q in venue.orders]
            if abs(self.position) * venue.mid > 0.4 * self.limit and self.rescue_share > 0:
                cut = round(abs(self.position) * self.rescue_share, 6)
                venue.send(t, "sell" if self.position > 0 else "buy", venue.mid, cut, "rescue",
                           self.latency_s)
                self.position += -cut if self.position > 0 else cut
        for oid in quotes:
            venue.cancel(t, oid)
        return t


def run_iteration(record, args):
    """Run the bot for the record's iteration; write DIR/N.jsonl."""
    iteration = record.get("iteration")
    if not isinstance(iteration, int) or isinstance(iteration, bool) or iteration < 1:
        die("line %d: 'iteration' must be a whole number from 1" % args.line_no)
    params = record.get("effective", record.get("params"))
    if not isinstance(params, dict):
        die("line %d: no 'effective' or 'params' object" % args.line_no)
    rng = random.Random(args.seed * 1000003 + iteration)
    log = EventLog(os.path.join(args.events, "%d.jsonl" % iteration))
    limit = float(params.get("position_limit_notional", 10000.0))
    log.write(0, "start", iteration=iteration, position_limit=limit, risk_budget=limit)
    venue = ToyVenue(rng, log)
    log.write(0, "mid", price=venue.mid)
    end = ToyBot(params).run(venue, args.duration, args.sigma_bps)
    log.write(end, "end")
    log.close()


def main():
    parser = argparse.ArgumentParser(prog=PROG, description="The reference engine adapter: "
                                     "a toy bot against an in-process venue, measured by "
                                     "soak-measure.")
    parser.add_argument("--events", required=True, metavar="DIR",
                        help="directory of the event logs (DIR/N.jsonl), made if missing")
    parser.add_argument("--seed", type=int, default=1, help="seed of the toy venue")
    parser.add_argument("--duration", type=float, default=120.0, metavar="SECONDS",
                        help="simulated length of an iteration (default 120)")
    parser.add_argument("--sigma-bps", type=float, default=1.5,
                        help="the mid's volatility per step, bps (default 1.5)")
    args = parser.parse_args()
    os.makedirs(args.events, exist_ok=True)
    # One soak-measure for the whole stream: each record goes in as one
    # line and comes back as one line with its summary.
    measure = subprocess.Popen(["soak-measure", "--events", args.events], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, bufsize=1)
    args.line_no = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        args.line_no += 1
        try:
            record = json.loads(line)
        except ValueError as e:
            die("line %d: not JSON: %s" % (args.line_no, e))
        if not isinstance(record, dict):
            die("line %d: not a JSON object" % args.line_no)
        run_iteration(record, args)
        measure.stdin.write(line if line.endswith("\n") else line + "\n")   # untouched
        measure.stdin.flush()
        measured = measure.stdout.readline()
        if not measured:
            die("soak-measure stopped (exit status %s)" % measure.wait())
        sys.stdout.write(measured)
        sys.stdout.flush()
    measure.stdin.close()
    status = measure.wait()
    if status != 0:
        die("soak-measure failed (exit status %d)" % status, status)


if __name__ == "__main__":
    main()
