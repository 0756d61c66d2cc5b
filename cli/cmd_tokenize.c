/* cmd_tokenize.c: `aif tokenize` (text on stdin -> ids) and
 * `aif detokenize` (ids on stdin -> text) with a tokenizer.json. */
#include <stdlib.h>
#include <string.h>

#include "aif/tokenizer.h"
#include "cli.h"

AIF_COMMAND(tokenize, "encode stdin with a tokenizer.json (ids, table, JSON or JSON Lines)")
AIF_COMMAND(detokenize, "decode token ids from stdin with a tokenizer.json")

#define MAX_STDIN ((size_t)1 << 30)

/* Read all of stdin (up to 1 GiB). */
static char *read_stdin(size_t *len, aif_err *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = aif_malloc(cap + 1);
    if (!buf) {
        aif_err_set(err, AIF_ENOMEM, "out of memory reading stdin");
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_STDIN) {
                aif_free(buf);
                aif_err_set(err, AIF_ERANGE, "stdin is larger than %zu bytes", MAX_STDIN);
                return NULL;
            }
            cap *= 2;
            char *nb = aif_realloc(buf, cap + 1);
            if (!nb) {
                aif_free(buf);
                aif_err_set(err, AIF_ENOMEM, "out of memory reading stdin");
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        aif_free(buf);
        aif_err_set(err, AIF_EIO, "reading stdin failed");
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

int aif_cmd_tokenize(int argc, char **argv, struct aif_cli *cli)
{
    const char *path = NULL;
    int ids_only = 0, no_special = 0, jsonl = 0, call = 0, split_special = 0, offsets = 0;
    const aif_opt opts[] = {
        {"tokenizer", AIF_OPT_STR, &path, "FILE_OR_DIR", "tokenizer.json, or a folder with it (and tokenizer_config.json)"},
        {"ids", AIF_OPT_FLAG, &ids_only, NULL, "print the ids only, space-separated on one line"},
        {"no-special", AIF_OPT_FLAG, &no_special, NULL, "do not add the post-processor's special tokens"},
        {"call", AIF_OPT_FLAG, &call, NULL, "transformers __call__: config add_bos/add_eos, truncation to model_max_length"},
        {"split-special", AIF_OPT_FLAG, &split_special, NULL, "treat special-token text as plain text"},
        {"jsonl", AIF_OPT_FLAG, &jsonl, NULL, "stdin: JSON Lines with \"text\"; stdout: {\"ids\":[...]} per line"},
        {"offsets", AIF_OPT_FLAG, &offsets, NULL,
         "also print each token's [start, end) byte offsets into stdin (table columns; \"offsets\" with --json)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    const char *usage = "aif tokenize --tokenizer FILE_OR_DIR [--ids|--json|--jsonl] [--no-special] [--offsets] < text";
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!path)
        return aif_cli_usage_error("--tokenizer is required (usage: %s)", usage);
    unsigned flags = (no_special ? 0 : AIF_TOK_ADD_SPECIAL) | (call ? AIF_TOK_CALL : 0) |
                     (split_special ? AIF_TOK_SPLIT_SPECIAL : 0);
    if (call && no_special)
        return aif_cli_usage_error("--call and --no-special do not go together");
    if (offsets && (jsonl || ids_only))
        return aif_cli_usage_error("--offsets goes with the table or --json output, not --jsonl or --ids");
    aif_err err = {0};
    aif_tokenizer *tok = NULL;
    if (aif_tokenizer_load(path, &tok, &err))
        return aif_cli_fail(&err);
    int status = 0;
    if (jsonl) {
        aif_pool *pool = NULL;
        if (aif_pool_new(cli->threads, &pool, &err)) {
            aif_tokenizer_free(tok);
            return aif_cli_fail(&err);
        }
        size_t n = 0;
        double t0 = aif_time_now();
        if (aif_tokenizer_encode_jsonl(tok, stdin, stdout, flags, pool, &n, &err))
            status = aif_cli_fail(&err);
        else
            aif_log(AIF_LOG_INFO, "tokenize: %zu lines in %.3f s", n, aif_time_now() - t0);
        aif_pool_free(pool);
        aif_tokenizer_free(tok);
        return status;
    }
    size_t len = 0;
    char *text = read_stdin(&len, &err);
    if (!text) {
        aif_tokenizer_free(tok);
        return aif_cli_fail(&err);
    }
    aif_token_ids ids = {0};
    aif_token_offsets offs = {0};
    aif_code erc = offsets ? aif_tokenizer_encode_offsets(tok, text, len, flags, &ids, &offs, &err)
                           : aif_tokenizer_encode(tok, text, len, flags, &ids, &err);
    if (erc) {
        status = aif_cli_fail(&err);
    } else if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "n_tokens", (int64_t)ids.n);
        aif_json_key(&j, "ids");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < ids.n; i++)
            aif_json_int(&j, ids.v[i]);
        aif_json_arr_end(&j);
        aif_json_key(&j, "tokens");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < ids.n; i++) {
            const char *t = aif_tokenizer_id_to_token(tok, ids.v[i]);
            aif_json_str(&j, t ? t : "");
        }
        aif_json_arr_end(&j);
        if (offsets) {
            aif_json_key(&j, "offsets");
            aif_json_arr_begin(&j);
            for (size_t i = 0; i < offs.n; i++) {
                aif_json_arr_begin(&j);
                aif_json_int(&j, offs.v[i][0]);
                aif_json_int(&j, offs.v[i][1]);
                aif_json_arr_end(&j);
            }
            aif_json_arr_end(&j);
        }
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else if (ids_only) {
        for (size_t i = 0; i < ids.n; i++)
            printf(i ? " %d" : "%d", ids.v[i]);
        printf("\n");
    } else {
        for (size_t i = 0; i < ids.n; i++) {
            const char *t = aif_tokenizer_id_to_token(tok, ids.v[i]);
            if (offsets)
                printf("%d\t%s\t%u\t%u\n", ids.v[i], t ? t : "", offs.v[i][0], offs.v[i][1]);
            else
                printf("%d\t%s\n", ids.v[i], t ? t : "");
        }
    }
    aif_token_ids_release(&ids);
    aif_token_offsets_release(&offs);
    aif_free(text);
    aif_tokenizer_free(tok);
    return status;
}

int aif_cmd_detokenize(int argc, char **argv, struct aif_cli *cli)
{
    const char *path = NULL;
    int skip = 0, clean = 0, call = 0;
    const aif_opt opts[] = {
        {"tokenizer", AIF_OPT_STR, &path, "FILE_OR_DIR", "tokenizer.json, or a folder with it"},
        {"skip-special", AIF_OPT_FLAG, &skip, NULL, "drop special tokens"},
        {"clean-spaces", AIF_OPT_FLAG, &clean, NULL, "transformers clean_up_tokenization_spaces (\" .\" -> \".\" ...)"},
        {"call", AIF_OPT_FLAG, &call, NULL, "clean up spaces if tokenizer_config.json says so (transformers decode)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    const char *usage = "aif detokenize --tokenizer FILE_OR_DIR [--skip-special] [--clean-spaces|--call] < ids";
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!path)
        return aif_cli_usage_error("--tokenizer is required (usage: %s)", usage);
    aif_err err = {0};
    size_t len = 0;
    char *in = read_stdin(&len, &err);
    if (!in)
        return aif_cli_fail(&err);
    /* ids separated by spaces, commas or newlines; [ ] allowed (a JSON array) */
    size_t n = 0, cap = 1024;
    int32_t *ids = aif_malloc(cap * sizeof *ids);
    int status = 0;
    for (char *p = in; ids && *p;) {
        if (strchr(" \t\r\n,[]", *p)) {
            p++;
            continue;
        }
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > INT32_MAX || (*end && !strchr(" \t\r\n,[]", *end))) {
            err = (aif_err){0};
            aif_err_set(&err, AIF_EFORMAT, "stdin: byte %zu: expected a token id", (size_t)(p - in));
            status = aif_cli_fail(&err);
            break;
        }
        if (n == cap) {
            int32_t *ni = aif_realloc(ids, 2 * cap * sizeof *ids);
            if (!ni) {
                aif_free(ids);
                ids = NULL;
                break;
            }
            ids = ni;
            cap *= 2;
        }
        ids[n++] = (int32_t)v;
        p = end;
    }
    aif_free(in);
    if (!ids) {
        aif_err_set(&err, AIF_ENOMEM, "out of memory reading ids");
        return aif_cli_fail(&err);
    }
    if (status) {
        aif_free(ids);
        return status;
    }
    aif_tokenizer *tok = NULL;
    if (aif_tokenizer_load(path, &tok, &err)) {
        aif_free(ids);
        return aif_cli_fail(&err);
    }
    char *text = NULL;
    size_t tl = 0;
    unsigned flags = (skip ? AIF_TOK_SKIP_SPECIAL : 0) | (clean ? AIF_TOK_CLEAN_SPACES : 0) | (call ? AIF_TOK_CALL : 0);
    if (aif_tokenizer_decode(tok, ids, n, flags, &text, &tl, &err)) {
        status = aif_cli_fail(&err);
    } else if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_key(&j, "text");
        aif_json_strn(&j, text, tl);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        fwrite(text, 1, tl, stdout);
    }
    aif_free(text);
    aif_free(ids);
    aif_tokenizer_free(tok);
    return status;
}
