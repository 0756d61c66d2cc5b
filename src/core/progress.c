/* progress.c: see progress.h. */
#include "aif/progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double aif_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void human(char *out, size_t cap, double v, const char *unit)
{
    static const char *si[] = {"", "k", "M", "G", "T"};
    double base = strcmp(unit, "B") == 0 ? 1024.0 : 1000.0;
    int i = 0;
    while (v >= base && i < 4) {
        v /= base;
        i++;
    }
    snprintf(out, cap, i ? "%.1f%s%s%s" : "%.0f%s%s%s", v, si[i], (i && base == 1024.0) ? "i" : "", unit);
}

void aif_progress_init(aif_progress *p, const char *label, uint64_t total, const char *unit, int quiet)
{
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label);
    snprintf(p->unit, sizeof p->unit, "%s", unit);
    p->total = total;
    p->quiet = quiet;
    p->tty = isatty(2);
    p->t_start = p->t_last_draw = aif_time_now();
}

static void draw(aif_progress *p, double now)
{
    char done[32], total[32], rate[32], eta[32] = "?";
    double dt = now - p->t_start;
    double r = dt > 0 ? (double)p->done / dt : 0;
    human(done, sizeof done, (double)p->done, p->unit);
    human(total, sizeof total, (double)p->total, p->unit);
    human(rate, sizeof rate, r, p->unit);
    if (p->total && r > 0) {
        double s = (double)(p->total - (p->done < p->total ? p->done : p->total)) / r;
        snprintf(eta, sizeof eta, "%dm%02ds", (int)(s / 60), (int)s % 60);
    }
    if (p->total) {
        int pct = (int)(100.0 * (double)p->done / (double)p->total);
        fprintf(stderr, "%s%s %3d%% %s/%s %s/s ETA %s%s", p->tty ? "\r\033[K" : "", p->label, pct, done, total, rate, eta,
                p->tty ? "" : "\n");
    } else {
        fprintf(stderr, "%s%s %s %s/s%s", p->tty ? "\r\033[K" : "", p->label, done, rate, p->tty ? "" : "\n");
    }
    fflush(stderr);
    p->drawn = 1;
    p->t_last_draw = now;
}

void aif_progress_update(aif_progress *p, uint64_t done)
{
    p->done = done;
    if (p->quiet)
        return;
    double now = aif_time_now();
    double every = p->tty ? 0.1 : 5.0;
    if (now - p->t_last_draw >= every)
        draw(p, now);
}

void aif_progress_finish(aif_progress *p)
{
    if (p->quiet)
        return;
    if (p->tty && p->drawn)
        fprintf(stderr, "\r\033[K");
    fflush(stderr);
}
