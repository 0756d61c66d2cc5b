/* datasets.c: the three evaluation datasets of competition 1 (5.1). */
#include <strings.h>
#include <string.h>

#include "aif/data.h"

static const aif_data_dataset table[] = {
    {"arxiv", "ARXIV", 9, "ai-factory/red_pajama_subset_arxiv_subset", 15555},
    {"reasoning", "REASONING", 10, "ai-factory/glaiveai-reasoning-v1-20m-chat", 221994},
    {"stackexchange", "STACKEXCHANGE", 11, "ai-factory/red_pajama_subset_stackexchange_subset", 252808},
};
#define N_TABLE (sizeof table / sizeof table[0])
_Static_assert(N_TABLE == 3, "three evaluation tasks");

size_t aif_data_dataset_count(void) { return N_TABLE; }

const aif_data_dataset *aif_data_dataset_at(size_t i) { return i < N_TABLE ? &table[i] : NULL; }

const aif_data_dataset *aif_data_dataset_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < N_TABLE; i++)
        if (!strcasecmp(name, table[i].key) || !strcasecmp(name, table[i].task) || !strcmp(name, table[i].hf_name))
            return &table[i];
    return NULL;
}
