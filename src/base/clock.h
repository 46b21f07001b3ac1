/*
 * clock.h: the two clocks nvd reads, in milliseconds.  The monotonic one
 * measures intervals (timeouts, rates, expiry); the real one stamps what
 * people read (events, rule hits, last seen).
 */
#ifndef NVD_CLOCK_H
#define NVD_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_ms(void);
int64_t clock_real_ms(void);
/* The monotonic clock in microseconds, for short costs (an evaluation). */
uint64_t clock_mono_us(void);

#endif
