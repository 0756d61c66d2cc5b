/* fuzz_competitions.c: the competitions document parser and the lookups on
 * whatever it accepts. */
#include <stddef.h>
#include <stdint.h>

#include "aif/subnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err err;
    aif_subnet_competitions *cs;
    if (aif_subnet_competitions_parse((const char *)data, size, "fuzz", &cs, &err))
        return 0;
    for (size_t i = 0; i < aif_subnet_schedule_count(cs); i++) {
        const char *name = aif_subnet_schedule_name(cs, i);
        const aif_subnet_schedule_entry *e;
        for (int64_t b = 0; b < 3000; b += 999)
            if (!aif_subnet_schedule_at(cs, name, b, &e, &err))
                for (size_t j = 0; j < e->n_slots; j++) {
                    const aif_subnet_competition *c = e->slots[j].competition;
                    double raw[64];
                    for (size_t t = 0; t < c->n_tasks && t < 64; t++)
                        raw[t] = aif_subnet_normalize(&c->tasks[t], 1.5);
                    if (c->n_tasks <= 64)
                        (void)aif_subnet_model_score(c, raw);
                    (void)aif_subnet_epsilon_at(&c->constraints.epsilon, b, 0);
                    (void)aif_subnet_arch_allowed(c, "LlamaForCausalLM", NULL);
                }
    }
    aif_subnet_competitions_free(cs);
    return 0;
}
