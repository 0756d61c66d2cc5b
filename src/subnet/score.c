/* score.c: the reference scoring formulas (spec 6.1, 6.3).
 *
 * The per-batch "loss" of 7087f3e is not a cross-entropy: it is
 *   1.0 + float32(float32(mismatches) / float32(masked) + float32(1e-8))
 * i.e. one plus the top-1 next-token error rate, with 1e-8 added in float32
 * (torch arithmetic on a float32 tensor) before the conversion to double. */
#include <math.h>

#include "subnet_int.h"

double aif_subnet_batch_loss(size_t n_mismatch, size_t n_masked)
{
    if (n_masked == 0)
        return INFINITY; /* spec 13.2: an all-masked batch is inf, not NaN */
    /* volatile keeps each step in float32 even where FLT_EVAL_METHOD != 0. */
    volatile float err = (float)n_mismatch / (float)n_masked;
    volatile float with_eps = err + 1e-8f;
    return 1.0 + (double)with_eps;
}

double aif_subnet_batch_loss_tokens(const int32_t *pred, const int32_t *labels, size_t n, int32_t pad_id,
                                    int32_t vocab_size)
{
    size_t masked = 0, wrong = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] >= vocab_size)
            return INFINITY; /* the discarded cross-entropy call raised here (13.1) */
        if (labels[i] == pad_id)
            continue;
        masked++;
        wrong += pred[i] != labels[i];
    }
    return aif_subnet_batch_loss(wrong, masked);
}

double aif_subnet_task_loss(const double *batch_losses, size_t n)
{
    if (n == 0)
        return INFINITY;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(batch_losses[i] < INFINITY))
            return INFINITY; /* inf or NaN: a failed batch fails the task */
        sum += batch_losses[i];
    }
    return sum / (double)n;
}

double aif_subnet_model_score(const aif_subnet_competition *c, const double *raw)
{
    double score = 0;
    for (size_t i = 0; i < c->n_tasks; i++) {
        if (!(raw[i] < INFINITY))
            return INFINITY;
        score += aif_subnet_normalize(&c->tasks[i], raw[i]) * c->tasks[i].weight;
    }
    return score;
}
