/* events.c - soak-events(5): parse and write one execution event. */
#include "events.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"

static const char *const type_names[] = {
	"start", "mid", "bid", "ask", "send", "ack", "cancel", "reject", "fill", "end"
};

const char *soak_event_name(enum soak_event_type type)
{
	return type_names[type];
}

/* --- parsing ------------------------------------------------------------ */

/* The fields each type has besides "t" and "ev" (NULL-terminated lists). */
static const char *const allowed_start[] = {"t", "ev", "iteration", "position_limit",
					     "risk_budget", "markout_s", NULL};
static const char *const allowed_price[] = {"t", "ev", "price", NULL};
static const char *const allowed_send[] = {"t", "ev", "id", "side", "price", "qty", "kind", NULL};
static const char *const allowed_id[] = {"t", "ev", "id", NULL};
static const char *const allowed_reject[] = {"t", "ev", "id", "reason", NULL};
static const char *const allowed_fill[] = {"t", "ev", "id", "side", "price", "qty",
					    "liquidity", "fee", NULL};
static const char *const allowed_end[] = {"t", "ev", NULL};

static const char *const *const allowed_by_type[] = {
	allowed_start, allowed_price, allowed_price, allowed_price, allowed_send,
	allowed_id, allowed_id, allowed_reject, allowed_fill, allowed_end
};

static bool parse_type(const cJSON *o, enum soak_event_type *type, char *err)
{
	const char *name;
	if (!soak_get_string(o, "ev", "ev", &name, err))
		return false;
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (strcmp(name, type_names[i]) == 0) {
			*type = (enum soak_event_type)i;
			return true;
		}
	return soak_errorf(err, "unknown event '%.40s'", name);
}

/* Number field `key` within [lo, hi]; strictly above lo when open_lo. */
static bool get_range(const cJSON *o, const char *key, double lo, bool open_lo, double hi,
		      double *out, char *err)
{
	if (!soak_get_number(o, key, key, out, err))
		return false;
	if (*out < lo || (open_lo && *out == lo) || *out > hi)
		return soak_errorf(err, "'%s' is %.17g, must be %s %g%s", key, *out,
				   open_lo ? ">" : ">=", lo,
				   hi < HUGE_VAL ? " and within range" : "");
	return true;
}

/* One of two words: *out = 0 for `a`, 1 for `b`. */
static bool get_choice(const cJSON *o, const char *key, const char *a, const char *b,
		       int *out, char *err)
{
	const char *v;
	if (!soak_get_string(o, key, key, &v, err))
		return false;
	if (strcmp(v, a) == 0 || strcmp(v, b) == 0) {
		*out = strcmp(v, a) == 0 ? 0 : 1;
		return true;
	}
	return soak_errorf(err, "'%s' is '%.40s', must be '%s' or '%s'", key, v, a, b);
}

static bool get_id(const cJSON *o, char *id, char *err)
{
	const cJSON *v = soak_get(o, "id");
	if (!v)
		return soak_errorf(err, "missing field 'id'");
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		if (n == 0 || n >= SOAK_EVENT_ID_MAX)
			return soak_errorf(err, "'id' must be 1 to %d characters", SOAK_EVENT_ID_MAX - 1);
		memcpy(id, v->valuestring, n + 1);
		return true;
	}
	double x;
	if (!soak_get_number(o, "id", "id", &x, err))
		return false;
	if (x < 0 || x > 9007199254740992.0 || x != floor(x))
		return soak_errorf(err, "'id' is %.17g, must be a string or a whole number 0 to 2^53", x);
	snprintf(id, SOAK_EVENT_ID_MAX, "%.0f", x);
	return true;
}

static bool get_reason(const cJSON *o, char *reason, char *err)
{
	const char *v;
	if (!soak_get_string(o, "reason", "reason", &v, err))
		return false;
	size_t n = strlen(v);
	if (n >= SOAK_EVENT_REASON_MAX)
		return soak_errorf(err, "'reason' is longer than %d characters", SOAK_EVENT_REASON_MAX - 1);
	memcpy(reason, v, n + 1);
	return true;
}

static bool parse_start(const cJSON *o, struct soak_event *e, char *err)
{
	double it;
	bool has_markout;
	if (!get_range(o, "iteration", 1, false, 1e9, &it, err))
		return false;
	if (it != floor(it))
		return soak_errorf(err, "'iteration' is %.17g, must be a whole number", it);
	e->iteration = (long)it;
	e->markout_s = 0;
	if (!get_range(o, "position_limit", 0, true, HUGE_VAL, &e->position_limit, err) ||
	    !get_range(o, "risk_budget", 0, true, HUGE_VAL, &e->risk_budget, err) ||
	    !soak_get_number_opt(o, "markout_s", "markout_s", &e->markout_s, &has_markout, err))
		return false;
	if (has_markout && !(e->markout_s > 0 && e->markout_s <= 3600))
		return soak_errorf(err, "'markout_s' is %.17g, must be > 0 and <= 3600", e->markout_s);
	return true;
}

static bool parse_send(const cJSON *o, struct soak_event *e, char *err)
{
	int side, kind;
	if (!get_id(o, e->id, err) || !get_choice(o, "side", "buy", "sell", &side, err) ||
	    !get_range(o, "price", 0, true, HUGE_VAL, &e->price, err) ||
	    !get_range(o, "qty", 0, true, HUGE_VAL, &e->qty, err) ||
	    !get_choice(o, "kind", "quote", "rescue", &kind, err))
		return false;
	e->side = side ? SOAK_SELL : SOAK_BUY;
	e->kind = kind ? SOAK_RESCUE : SOAK_QUOTE;
	return true;
}

static bool parse_fill(const cJSON *o, struct soak_event *e, char *err)
{
	int side, liq;
	if (!get_id(o, e->id, err) || !get_choice(o, "side", "buy", "sell", &side, err) ||
	    !get_range(o, "price", 0, true, HUGE_VAL, &e->price, err) ||
	    !get_range(o, "qty", 0, true, HUGE_VAL, &e->qty, err) ||
	    !get_choice(o, "liquidity", "maker", "taker", &liq, err) ||
	    !soak_get_number(o, "fee", "fee", &e->fee, err))
		return false;
	e->side = side ? SOAK_SELL : SOAK_BUY;
	e->liquidity = liq ? SOAK_TAKER : SOAK_MAKER;
	return true;
}

static bool parse_fields(const cJSON *o, struct soak_event *e, char *err)
{
	switch (e->type) {
	case SOAK_EV_START: return parse_start(o, e, err);
	case SOAK_EV_MID: case SOAK_EV_BID: case SOAK_EV_ASK:
		return get_range(o, "price", 0, true, HUGE_VAL, &e->price, err);
	case SOAK_EV_SEND: return parse_send(o, e, err);
	case SOAK_EV_ACK: case SOAK_EV_CANCEL: return get_id(o, e->id, err);
	case SOAK_EV_REJECT: return get_id(o, e->id, err) && get_reason(o, e->reason, err);
	case SOAK_EV_FILL: return parse_fill(o, e, err);
	case SOAK_EV_END: return true;
	}
	return soak_errorf(err, "unknown event type");
}

bool soak_event_parse(const char *text, size_t len, struct soak_event *e, char *err)
{
	cJSON *o = soak_parse_checked(text, len, err);
	if (!o)
		return false;
	bool ok = parse_type(o, &e->type, err) &&
		  get_range(o, "t", 0, false, HUGE_VAL, &e->t, err) &&
		  parse_fields(o, e, err);
	if (ok) {
		const char *extra = soak_unknown_field(o, allowed_by_type[e->type]);
		if (extra)
			ok = soak_errorf(err, "unknown field '%.40s' in a '%s' event", extra,
					 type_names[e->type]);
	}
	cJSON_Delete(o);
	return ok;
}

/* --- writing ------------------------------------------------------------- */

static const double pow10_table[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

/*
 * x with at most `decimals` (<= 9) decimals when that text reads back as
 * x, and |x| * 10^decimals < 1e15 so the digits are exact: digits by
 * hand, no printf (prices, times and fees usually qualify).  Returns the
 * length, or 0 when x is not such a number.
 */
static size_t put_fixed(char *buf, double x, int decimals)
{
	double scale = pow10_table[decimals];
	if (!(fabs(x) * scale < 1e15))
		return 0;
	double scaled = nearbyint(x * scale);
	if (scaled / scale != x)
		return 0;
	long long m = (long long)scaled;
	char digits[24];
	int n = 0, len = 0;
	unsigned long long u = (unsigned long long)(m < 0 ? -m : m);
	for (int k = 0; k <= decimals || u; k++) {   /* at least one digit before the point */
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	}
	int frac = decimals;
	while (frac > 0 && digits[decimals - frac] == '0')   /* drop trailing zeros */
		frac--;
	if (m < 0)
		buf[len++] = '-';
	for (int k = n - 1; k >= decimals; k--)
		buf[len++] = digits[k];
	if (frac > 0) {
		buf[len++] = '.';
		for (int k = decimals - 1; k >= decimals - frac; k--)
			buf[len++] = digits[k];
	}
	buf[len] = '\0';
	return (size_t)len;
}

/* x as the shortest text (at most 17 significant digits) that reads back as x. */
static size_t put_number(char *buf, double x)
{
	if (x == floor(x) && fabs(x) < 1e15)
		return (size_t)snprintf(buf, 32, "%.0f", x + 0.0);
	size_t n = put_fixed(buf, x, 9);
	if (n > 0)
		return n;
	for (int digits = 15; digits < 17; digits++) {
		int len = snprintf(buf, 32, "%.*g", digits, x);
		if (strtod(buf, NULL) == x)
			return (size_t)len;
	}
	return (size_t)snprintf(buf, 32, "%.17g", x);
}

struct out { char *buf; size_t len; };

static void put_text(struct out *o, const char *s)
{
	size_t n = strlen(s);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_key_number(struct out *o, const char *key, double x)
{
	put_text(o, ",\"");
	put_text(o, key);
	put_text(o, "\":");
	o->len += put_number(o->buf + o->len, x);
}

/* A string value, escaped for JSON (ids and reasons are bounded). */
static void put_key_string(struct out *o, const char *key, const char *s)
{
	put_text(o, ",\"");
	put_text(o, key);
	put_text(o, "\":\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			o->buf[o->len++] = '\\';
			o->buf[o->len++] = (char)c;
		} else if (c < 0x20) {
			o->len += (size_t)snprintf(o->buf + o->len, 8, "\\u%04x", c);
		} else {
			o->buf[o->len++] = (char)c;
		}
	}
	put_text(o, "\"");
}

static void put_order_fields(struct out *o, const struct soak_event *e)
{
	put_key_string(o, "id", e->id);
	put_key_string(o, "side", e->side == SOAK_BUY ? "buy" : "sell");
	put_key_number(o, "price", e->price);
	put_key_number(o, "qty", e->qty);
}

size_t soak_event_format(const struct soak_event *e, char *buf)
{
	struct out o = { buf, 0 };
	put_text(&o, "{\"t\":");
	o.len += put_number(buf + o.len, e->t);
	put_key_string(&o, "ev", type_names[e->type]);
	switch (e->type) {
	case SOAK_EV_START:
		put_key_number(&o, "iteration", (double)e->iteration);
		put_key_number(&o, "position_limit", e->position_limit);
		put_key_number(&o, "risk_budget", e->risk_budget);
		if (e->markout_s > 0)
			put_key_number(&o, "markout_s", e->markout_s);
		break;
	case SOAK_EV_MID: case SOAK_EV_BID: case SOAK_EV_ASK:
		put_key_number(&o, "price", e->price);
		break;
	case SOAK_EV_SEND:
		put_order_fields(&o, e);
		put_key_string(&o, "kind", e->kind == SOAK_QUOTE ? "quote" : "rescue");
		break;
	case SOAK_EV_ACK: case SOAK_EV_CANCEL:
		put_key_string(&o, "id", e->id);
		break;
	case SOAK_EV_REJECT:
		put_key_string(&o, "id", e->id);
		put_key_string(&o, "reason", e->reason);
		break;
	case SOAK_EV_FILL:
		put_order_fields(&o, e);
		put_key_string(&o, "liquidity", e->liquidity == SOAK_MAKER ? "maker" : "taker");
		put_key_number(&o, "fee", e->fee);
		break;
	case SOAK_EV_END:
		break;
	}
	put_text(&o, "}");
	buf[o.len] = '\0';
	return o.len;
}

bool soak_event_write(FILE *f, const struct soak_event *e)
{
	char line[SOAK_EVENT_LINE_MAX];
	size_t n = soak_event_format(e, line);
	line[n++] = '\n';
	return fwrite(line, 1, n, f) == n;
}
