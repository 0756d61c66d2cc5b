/* progress.h: a progress line on stderr. On a TTY it redraws at most ten
 * times a second; otherwise it prints a plain line every few seconds. It
 * shows done/total, a rate and an ETA, and clears itself when finished.
 * Disabled (a no-op) when `quiet` is set. */
#ifndef AIF_PROGRESS_H
#define AIF_PROGRESS_H

#include <stdint.h>

typedef struct aif_progress {
    char label[64];
    char unit[16];      /* "tok", "B" (printed with binary prefixes), ... */
    uint64_t total;     /* 0: unknown */
    uint64_t done;
    double t_start, t_last_draw;
    int tty, quiet, drawn;
} aif_progress;

void aif_progress_init(aif_progress *p, const char *label, uint64_t total, const char *unit, int quiet);
void aif_progress_update(aif_progress *p, uint64_t done);
void aif_progress_finish(aif_progress *p);
/* Monotonic seconds. */
double aif_time_now(void);

#endif
