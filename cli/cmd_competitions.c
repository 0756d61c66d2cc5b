/* cmd_competitions.c: `aif competitions`: the competitions in force at a
 * block, from the bundled competitions file or --competitions FILE. */
#include "cli.h"

#include <limits.h>
#include <string.h>

#include "aif/subnet.h"

AIF_COMMAND(competitions, "list the competitions in force at a block (constraints, tasks, epsilon)")

static const char *norm_name(aif_subnet_norm n)
{
    return n == AIF_SUBNET_NORM_INVERSE_EXPONENTIAL ? "inverse_exponential" : "none";
}

static void print_json(const aif_subnet_schedule_entry *e, const char *sched, long long block)
{
    aif_json j;
    aif_json_init(&j, stdout, 1);
    aif_json_obj_begin(&j);
    aif_json_kstr(&j, "schedule", sched);
    aif_json_key(&j, "block");
    if (block == LLONG_MIN)
        aif_json_null(&j);
    else
        aif_json_int(&j, block);
    aif_json_kint(&j, "start_block", e->start_block);
    aif_json_key(&j, "competitions");
    aif_json_arr_begin(&j);
    for (size_t i = 0; i < e->n_slots; i++) {
        const aif_subnet_competition *c = e->slots[i].competition;
        const aif_subnet_constraints *k = &c->constraints;
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "id", c->id);
        aif_json_kstr(&j, "name", c->name);
        aif_json_knum(&j, "reward_share", e->slots[i].reward_share);
        aif_json_key(&j, "constraints");
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "min_parameters", k->min_parameters);
        aif_json_kint(&j, "max_parameters", k->max_parameters);
        aif_json_kint(&j, "sequence_length", k->sequence_length);
        aif_json_key(&j, "allowed_architectures");
        aif_json_arr_begin(&j);
        for (size_t a = 0; a < k->n_archs; a++) {
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "name", k->archs[a].name);
            aif_json_kbool(&j, "runnable", k->archs[a].runnable);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_kstr(&j, "tokenizer", k->tokenizer);
        aif_json_kint(&j, "max_bytes", k->max_bytes);
        aif_json_kstr(&j, "dtype", k->dtype);
        aif_json_kint(&j, "eval_block_delay", k->eval_block_delay);
        aif_json_key(&j, "epsilon");
        aif_json_obj_begin(&j);
        if (k->epsilon.kind == AIF_SUBNET_EPS_FIXED) {
            aif_json_kstr(&j, "function", "fixed");
            aif_json_knum(&j, "value", k->epsilon.value);
        } else {
            aif_json_kstr(&j, "function", "linear_decay");
            aif_json_knum(&j, "start", k->epsilon.start);
            aif_json_knum(&j, "end", k->epsilon.end);
            aif_json_kint(&j, "decay_blocks", k->epsilon.decay_blocks);
        }
        aif_json_obj_end(&j);
        aif_json_obj_end(&j);
        aif_json_kint(&j, "max_batches_per_task", c->max_batches_per_task);
        aif_json_key(&j, "eval_tasks");
        aif_json_arr_begin(&j);
        for (size_t t = 0; t < c->n_tasks; t++) {
            const aif_subnet_task *task = &c->tasks[t];
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "name", task->name);
            aif_json_kstr(&j, "method", "text_loss");
            aif_json_kstr(&j, "dataset", task->dataset->name);
            aif_json_kint(&j, "dataset_id", task->dataset->id);
            aif_json_kstr(&j, "repo", task->dataset->repo);
            aif_json_kstr(&j, "normalization", norm_name(task->normalization));
            if (task->normalization == AIF_SUBNET_NORM_INVERSE_EXPONENTIAL)
                aif_json_knum(&j, "ceiling", task->ceiling);
            aif_json_kint(&j, "batch_size", task->batch_size);
            aif_json_kint(&j, "pages", task->pages);
            aif_json_knum(&j, "weight", task->weight);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
    }
    aif_json_arr_end(&j);
    aif_json_obj_end(&j);
    aif_json_end(&j);
}

static void print_table(const aif_subnet_schedule_entry *e, const char *sched, long long block)
{
    if (block == LLONG_MIN)
        printf("schedule %s, latest entry (starts at block %lld)\n", sched, (long long)e->start_block);
    else
        printf("schedule %s at block %lld (entry starting at block %lld)\n", sched, block, (long long)e->start_block);
    for (size_t i = 0; i < e->n_slots; i++) {
        const aif_subnet_competition *c = e->slots[i].competition;
        const aif_subnet_constraints *k = &c->constraints;
        printf("\ncompetition %d %s, reward share %g\n", c->id, c->name, e->slots[i].reward_share);
        printf("  %-18s %lld .. %lld\n", "parameters", (long long)k->min_parameters, (long long)k->max_parameters);
        printf("  %-18s %d\n", "sequence length", k->sequence_length);
        printf("  %-18s", "architectures");
        for (size_t a = 0; a < k->n_archs; a++)
            printf("%s %s%s", a ? "," : "", k->archs[a].name, k->archs[a].runnable ? "" : " (not runnable yet)");
        printf("\n  %-18s %s\n", "tokenizer", k->tokenizer);
        printf("  %-18s %lld (%.2f GiB)\n", "max bytes", (long long)k->max_bytes,
               (double)k->max_bytes / (1024.0 * 1024 * 1024));
        printf("  %-18s %s\n", "dtype", k->dtype);
        printf("  %-18s %lld blocks\n", "eval block delay", (long long)k->eval_block_delay);
        if (k->epsilon.kind == AIF_SUBNET_EPS_FIXED)
            printf("  %-18s fixed %g\n", "epsilon", k->epsilon.value);
        else
            printf("  %-18s linear decay %g -> %g over %lld blocks\n", "epsilon", k->epsilon.start, k->epsilon.end,
                   (long long)k->epsilon.decay_blocks);
        printf("  %-18s %d\n", "batches per task", c->max_batches_per_task);
        printf("  %-14s %-9s %-6s %-6s %-5s %-20s %s\n", "task", "method", "weight", "pages", "batch", "normalization",
               "dataset");
        for (size_t t = 0; t < c->n_tasks; t++) {
            const aif_subnet_task *task = &c->tasks[t];
            printf("  %-14s %-9s %-6g %-6d %-5d %-20s %s\n", task->name, "text_loss", task->weight, task->pages,
                   task->batch_size, norm_name(task->normalization), task->dataset->repo);
        }
    }
}

int aif_cmd_competitions(int argc, char **argv, struct aif_cli *cli)
{
    long long block = LLONG_MIN;
    const char *file = NULL, *sched = "main";
    const aif_opt opts[] = {
        {"block", AIF_OPT_INT, &block, "N", "the chain block (default: the latest schedule entry)"},
        {"competitions", AIF_OPT_STR, &file, "FILE", "competitions JSON file replacing the bundled one"},
        {"schedule", AIF_OPT_STR, &sched, "NAME", "schedule: main (subnet 80, default) or local"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, "aif competitions [--block N] [--schedule NAME] [--competitions FILE]", opts,
                                  argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (block != LLONG_MIN && block < 0)
        return aif_cli_usage_error("--block must be >= 0");
    aif_err err = {0};
    aif_subnet_competitions *comps;
    if (aif_subnet_competitions_open(file, &comps, &err))
        return aif_cli_fail(&err);
    const aif_subnet_schedule_entry *e;
    if (aif_subnet_schedule_at(comps, sched, block == LLONG_MIN ? INT64_MAX : block, &e, &err)) {
        aif_subnet_competitions_free(comps);
        return aif_cli_fail(&err);
    }
    if (cli->json)
        print_json(e, sched, block);
    else
        print_table(e, sched, block);
    aif_subnet_competitions_free(comps);
    return 0;
}
