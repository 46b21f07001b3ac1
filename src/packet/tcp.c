#include "config.h"

#include <string.h>

#include "packet/tcp.h"

/* Joined mid-stream, an end's window scale is unknown: its windows are
 * read with the largest there is (RFC 7323 section 2.3), wide rather than
 * wrong. */
#define SCALE_UNKNOWN	14
/* conntrack's MAXACKWINDOW: an ACK this far behind is still taken. */
#define ACKWIN_MIN	66000
/* The widest window there is (RFC 7323 section 2.3), so that windows
 * stay well inside sequence space's half. */
#define WIN_MAX		(65535u << 14)

static inline int
before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int
after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* The sequence number after p: its bytes, and one each for SYN and FIN. */
static uint32_t
seg_end(const struct packet *p)
{
	return p->seq + (uint32_t)p->payload_len + !!(p->tcp_flags & TCP_SYN) +
	    !!(p->tcp_flags & TCP_FIN);
}

/* The window p advertises, in bytes (a SYN's is never scaled). */
static uint32_t
seg_win(const struct tcp_dir *s, const struct packet *p)
{
	if (p->tcp_flags & TCP_SYN)
		return p->win;
	return (uint32_t)p->win << s->scale;
}

/* Rules I and II: p starts no later than the receiver's window allows, and
 * ends no earlier than a window before what its sender sent. */
static int
seq_ok(const struct tcp_dir *s, const struct tcp_dir *r, const struct packet *p)
{
	if (after(p->seq, s->maxend))
		return 0;
	return r->maxwin == 0 || !before(seg_end(p), s->end - r->maxwin);
}

/* Rules III and IV: p acknowledges nothing its receiver did not send, and
 * nothing older than a window. */
static int
ack_ok(const struct tcp_dir *s, const struct tcp_dir *r, const struct packet *p)
{
	uint32_t win = s->maxwin > ACKWIN_MIN ? s->maxwin : ACKWIN_MIN;

	if (!(r->flags & TCPD_SEEN))
		return 1;		/* nothing known of what the receiver sent */
	if (r->flags & TCPD_PICKUP)
		return !after(p->ack, r->maxend);	/* maybe sent before nvd joined */
	if (after(p->ack, r->end) || before(p->ack, r->end - win))
		return 0;
	return !(p->tcp_flags & TCP_SYN) || !(r->flags & TCPD_SYN) || after(p->ack, r->isn);
}

/* p comes from the end a SYN (without ACK) was sent to, which has sent
 * nothing yet: the other end is in SYN-SENT. */
static int
answers_syn(const struct flow *f, int dir)
{
	return f->tcp_state == TCPS_SYN_SENT && !(f->tcp[dir].flags & TCPD_SEEN) &&
	    (f->tcp[!dir].flags & TCPD_SYN);
}

static enum doubt
rst_check(const struct flow *f, int dir, const struct packet *p)
{
	const struct tcp_dir *s = &f->tcp[dir], *r = &f->tcp[!dir];

	/* RFC 793 (SYN-SENT), kept by RFC 5961: only a RST that acknowledges
	 * the SYN is taken. */
	if (answers_syn(f, dir))
		return (p->tcp_flags & TCP_ACK) && after(p->ack, r->isn) &&
		    !after(p->ack, r->end) ? DOUBT_NONE : DOUBT_TCP_RST;
	if (!(s->flags & TCPD_SEEN))
		return DOUBT_NONE;	/* nothing to place it by; it resets nothing */
	/* In the window, and not before what the receiver acknowledged
	 * (conntrack's "invalid RST"). */
	if (!seq_ok(s, r, p) || ((r->flags & TCPD_MAXACK) && before(p->seq, r->maxack)))
		return DOUBT_TCP_RST;
	return DOUBT_NONE;
}

enum doubt
tcp_check(const struct flow *f, int dir, const struct packet *p)
{
	const struct tcp_dir *s = &f->tcp[dir], *r = &f->tcp[!dir];

	if (p->tcp_flags & TCP_RST)
		return rst_check(f, dir, p);
	if ((s->flags & TCPD_SEEN) && !seq_ok(s, r, p))
		return DOUBT_TCP_SEQ;
	if ((p->tcp_flags & TCP_ACK) && !ack_ok(s, r, p))
		return DOUBT_TCP_ACK;
	return DOUBT_NONE;
}

/*
 * RFC 5961 section 3.2 as Linux applies it (tcp_validate_incoming): a RST
 * resets at the sequence number the receiver expects next, which is where
 * the stream stands (reasm.h), past the FIN once it reached it; with the
 * FIN, also at the FIN's own (tcp_reset_check).
 */
static int
rst_resets(const struct flow *f, int dir, const struct packet *p)
{
	const struct reasm_dir *rd = &f->rs[dir];

	if (answers_syn(f, dir))
		return 1;		/* tcp_check() saw it acknowledge the SYN */
	if (!(f->tcp[dir].flags & TCPD_SEEN) || !rd->started)
		return 0;
	return p->seq == rd->next_seq + rd->fin || (rd->fin && p->seq == rd->next_seq);
}

/* An end's first segment: a SYN gives its ISN and scale, anything else
 * its position as seen (conntrack's pickup). */
static void
dir_init(struct tcp_dir *s, struct tcp_dir *r, const struct packet *p)
{
	uint32_t end = seg_end(p), acked = s->end, acked_maxend = s->maxend;
	int had_end = !!(s->flags & TCPD_END);

	memset(s, 0, sizeof(*s));
	s->flags = TCPD_SEEN;
	s->end = s->maxend = end;
	if (p->tcp_flags & TCP_SYN) {
		s->isn = p->seq;
		s->flags |= TCPD_SYN;
		s->maxwin = p->win ? p->win : 1;
		if (p->tcp_wscale != TCP_WSCALE_NONE) {
			s->flags |= TCPD_WSCALE;
			s->scale = p->tcp_wscale;
		}
		/* RFC 7323 section 2.2: scaling only when both SYNs ask for it. */
		if ((r->flags & TCPD_SYN) && !(s->flags & r->flags & TCPD_WSCALE))
			s->scale = r->scale = 0;
		return;
	}
	s->flags |= TCPD_PICKUP;
	s->scale = SCALE_UNKNOWN;
	s->maxwin = seg_win(s, p) ? seg_win(s, p) : 1;
	s->maxend = end + s->maxwin;
	/* The other end acknowledged more than this segment shows. */
	if (had_end && after(acked, s->end))
		s->end = acked;
	if (had_end && after(acked_maxend, s->maxend))
		s->maxend = acked_maxend;
}

/* The ack and window p's sender gives the other end r. */
static void
ack_update(struct tcp_dir *s, struct tcp_dir *r, const struct packet *p, uint32_t win)
{
	uint32_t maxend = p->ack + win + (win == 0);
	int known = !!(r->flags & (TCPD_SEEN | TCPD_END));

	if (!(s->flags & TCPD_MAXACK) || after(p->ack, s->maxack)) {
		s->maxack = p->ack;
		s->flags |= TCPD_MAXACK;
	}
	/* An end nvd has not seen, or joined mid-stream, sent at least what
	 * is acknowledged. */
	if (!(r->flags & TCPD_SEEN) || (r->flags & TCPD_PICKUP)) {
		if (!known || after(p->ack, r->end))
			r->end = p->ack;
		r->flags |= TCPD_END;
	}
	if (!known || !before(maxend, r->maxend))
		r->maxend = maxend;
}

uint8_t
tcp_update(struct flow *f, int dir, const struct packet *p)
{
	struct tcp_dir *s = &f->tcp[dir], *r = &f->tcp[!dir];
	uint32_t end = seg_end(p), win;

	if (p->tcp_flags & TCP_RST)
		return rst_resets(f, dir, p) ? p->tcp_flags & (uint8_t)~TCP_FIN : 0;
	if (!(s->flags & TCPD_SEEN))
		dir_init(s, r, p);
	win = seg_win(s, p);
	if (win > s->maxwin)
		s->maxwin = win;
	/* Past what the receiver's window allowed: it was wider than known. */
	if (r->maxwin && after(end, s->maxend)) {
		r->maxwin += end - s->maxend;
		if (r->maxwin > WIN_MAX)
			r->maxwin = WIN_MAX;
	}
	if (after(end, s->end))
		s->end = end;
	if (p->tcp_flags & TCP_ACK)
		ack_update(s, r, p, win);
	return p->tcp_flags & (uint8_t)~TCP_FIN;
}

void
tcp_forget(struct flow *f)
{
	memset(f->tcp, 0, sizeof(f->tcp));
}
