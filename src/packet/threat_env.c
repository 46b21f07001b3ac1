/*
 * threat_env.c: what the threat detectors share (threat_env.h): the
 * events, the excerpts, the settings.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "packet/threat_env.h"

/* Before any policy: never read for a detection, but kept sane. */
static struct threat_set builtin;
static int builtin_made;

const struct threat_conf *
threat_conf(const struct threat_env *e, int id)
{
	if (e->set)
		return &e->set->t[id];
	if (!builtin_made) {
		threat_set_default(&builtin);
		builtin_made = 1;
	}
	return &builtin.t[id];
}

void
threat_excerpt(char *out, size_t cap, const uint8_t *b, size_t n)
{
	size_t show = n < 64 ? n : 64, digits = 0, seen = 0, o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < show; i++)
		digits += b[i] >= '0' && b[i] <= '9';
	for (size_t i = 0; i < show && o + 1 < cap; i++) {
		uint8_t c = b[i];

		if (c >= '0' && c <= '9')
			c = seen++ + 4 < digits ? '*' : c;
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		out[o++] = (char)c;
	}
	if (show < n && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int
threat_fire(struct threat_env *e, struct flow *f, const struct packet *p, int id,
    uint32_t deny_mask, const char *fmt, ...)
{
	uint32_t bit = THREAT_BIT(id);
	int deny = !!(deny_mask & bit);
	struct threat_hit h;
	va_list ap;

	if (deny) {
		e->st.dropped[id]++;
		if (p != NULL)
			e->drop = 1;		/* this packet */
		else if (f != NULL)
			f->deny_pending = 1;	/* the connection, once its bytes are processed */
	}
	if (f && (f->thr_told & bit))
		return deny;	/* said once for the flow */
	if (f)
		f->thr_told |= bit;
	e->st.detected[id]++;
	memset(&h, 0, sizeof(h));
	h.id = id;
	h.deny = deny;
	va_start(ap, fmt);
	vsnprintf(h.evidence, sizeof(h.evidence), fmt, ap);
	va_end(ap);
	if (e->hit)
		e->hit(e->ctx, f, p, &h);
	return deny;
}

void
threat_fire_flood(struct threat_env *e, const struct packet *p, int id, int deny, int any_source,
    uint32_t count, const char *fmt, ...)
{
	struct threat_hit h;
	va_list ap;

	e->st.detected[id]++;
	memset(&h, 0, sizeof(h));
	h.id = id;
	h.deny = deny;
	h.flood = 1;
	h.any_source = any_source;
	h.count = count;
	va_start(ap, fmt);
	vsnprintf(h.evidence, sizeof(h.evidence), fmt, ap);
	va_end(ap);
	if (e->hit)
		e->hit(e->ctx, NULL, p, &h);
}

