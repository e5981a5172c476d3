/*
 * events.h - one event of the execution-event log, soak-events(5).
 *
 * The log of one iteration is JSON lines, one event each, in time order:
 * a "start" first, an "end" last, and between them market data ("mid",
 * or "bid"/"ask"), the bot's orders ("send") and what became of them
 * ("ack", "cancel", "reject", "fill").  A simulator fills struct
 * soak_event and hands it to measure_event (measure.h) and, when asked
 * to, to soak_event_write; soak-measure parses lines with
 * soak_event_parse and hands them to the same measure_event.
 */
#ifndef SOAK_EVENTS_H
#define SOAK_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest order id, including its terminating NUL. */
#define SOAK_EVENT_ID_MAX 64
/* Longest reject reason kept, including its NUL (longer ones are an error). */
#define SOAK_EVENT_REASON_MAX 128
/* Room soak_event_format needs for any event. */
#define SOAK_EVENT_LINE_MAX 1536

enum soak_event_type {
	SOAK_EV_START, SOAK_EV_MID, SOAK_EV_BID, SOAK_EV_ASK, SOAK_EV_SEND,
	SOAK_EV_ACK, SOAK_EV_CANCEL, SOAK_EV_REJECT, SOAK_EV_FILL, SOAK_EV_END
};

enum soak_side { SOAK_BUY, SOAK_SELL };
enum soak_order_kind { SOAK_QUOTE, SOAK_RESCUE };
enum soak_liquidity { SOAK_MAKER, SOAK_TAKER };

/*
 * One event.  Only the fields of its type are read; the others may hold
 * anything.  Units: t in seconds from the iteration's start; prices in
 * the instrument's own quote currency per base unit; qty in base units;
 * fee in quote currency (negative: a rebate); notionals in quote currency.
 *
 *   type         fields read
 *   START        iteration (>= 1), position_limit (> 0, notional),
 *                risk_budget (> 0, notional), markout_s (>= 0; 0: not given)
 *   MID          price (> 0)
 *   BID, ASK     price (> 0): the touch; the mid is their average once both are known
 *   SEND         id, side, price (> 0; for a rescue its limit, or the mid), qty (> 0), kind
 *   ACK          id
 *   CANCEL       id      (the order is off the book: confirmed cancel)
 *   REJECT       id, reason
 *   FILL         id, side, price (> 0), qty (> 0), liquidity, fee (any sign)
 *   END          (t only)
 */
struct soak_event {
	double t;
	enum soak_event_type type;
	/* START */
	long iteration;
	double position_limit, risk_budget, markout_s;
	/* MID, BID, ASK, SEND, FILL */
	double price;
	/* SEND, ACK, CANCEL, REJECT, FILL */
	char id[SOAK_EVENT_ID_MAX];
	/* SEND, FILL */
	enum soak_side side;
	double qty;
	/* SEND */
	enum soak_order_kind kind;
	/* FILL */
	enum soak_liquidity liquidity;
	double fee;
	/* REJECT */
	char reason[SOAK_EVENT_REASON_MAX];
};

/* The "ev" name of a type ("start", "mid", ...). */
const char *soak_event_name(enum soak_event_type type);

/*
 * Parse one line of a log (text of len bytes, no newline needed) into *e.
 * Checks the JSON, the "ev" name, that every field of the type is present
 * with the right JSON type and range and finite, and that no unknown field
 * is there; ids are strings of 1 to 63 bytes or integers 0 to 2^53 (kept
 * as their decimal text).  Does not check order between events: that is
 * measure_event's job.  Returns false with a message in err (SOAK_ERR_MAX
 * bytes, no line number) when the line is not a valid event.
 */
bool soak_event_parse(const char *text, size_t len, struct soak_event *e, char *err);

/*
 * Format e as one JSON object (no newline) into buf, which has room for
 * SOAK_EVENT_LINE_MAX bytes.  Each number is written as a short text
 * (at most 17 significant digits) that reads back as the same double, so
 * the text is deterministic and soak_event_parse returns exactly the
 * event that was written.  Returns the length written.
 */
size_t soak_event_format(const struct soak_event *e, char *buf);

/* Write e as one JSON line to f.  Returns false on a write error. */
bool soak_event_write(FILE *f, const struct soak_event *e);

#endif
