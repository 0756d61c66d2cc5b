/* aif_extrinsic.c: the aif side of the polkadot-js cross-check (built by
 * run.sh, not by the Makefile). Usage: aif_extrinsic METADATA_HEX_FILE CASES_JSON
 * prints one line per case: "<name> <extrinsic hex>" built by libaif
 * (aif_scale_encode_call + aif_chain_extrinsic_sign) with the case's fixed
 * signing randomness. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/chain.h"
#include "aif/crypto.h"
#include "aif/fs.h"

static int hex32(const char *s, uint8_t out[32])
{
    size_t n = 0;
    return aif_crypto_hex_decode(s, strlen(s), out, 32, &n, NULL) || n != 32;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: aif_extrinsic METADATA_HEX_FILE CASES_JSON\n");
        return 2;
    }
    aif_err err;
    char *mdhex = NULL;
    size_t mdn = 0;
    aif_scale_metadata *md = NULL;
    if (aif_fs_read_file(argv[1], 64u << 20, &mdhex, &mdn, &err) || aif_scale_metadata_parse_hex(mdhex, mdn, &md, &err)) {
        fprintf(stderr, "aif_extrinsic: %s\n", err.msg);
        return 1;
    }
    json_error_t je;
    json_t *cases = json_load_file(argv[2], 0, &je);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        aif_chain_tx tx = {0};
        tx.spec_version = (uint32_t)json_integer_value(json_object_get(c, "spec"));
        tx.tx_version = (uint32_t)json_integer_value(json_object_get(c, "txv"));
        tx.nonce = (uint32_t)json_integer_value(json_object_get(c, "nonce"));
        tx.tip = (uint64_t)json_integer_value(json_object_get(c, "tip"));
        tx.era_period = (uint64_t)json_integer_value(json_object_get(c, "era_period"));
        tx.era_current = (uint64_t)json_integer_value(json_object_get(c, "era_current"));
        uint8_t rng[32];
        if (hex32(json_string_value(json_object_get(c, "genesis")), tx.genesis) ||
            hex32(json_string_value(json_object_get(c, "birth_hash")), tx.birth_hash) ||
            hex32(json_string_value(json_object_get(c, "rng")), rng))
            return 1;
        char *args = json_dumps(json_object_get(c, "args"), JSON_COMPACT);
        aif_scale_writer w;
        aif_scale_writer_init(&w);
        aif_crypto_keypair *kp = NULL;
        aif_chain_sr25519_ctx sctx;
        aif_chain_signer s;
        uint8_t *xt = NULL;
        size_t xn = 0;
        if (aif_scale_encode_call(md, json_string_value(json_object_get(c, "pallet")),
                                  json_string_value(json_object_get(c, "call")), args, &w, &err) ||
            aif_crypto_keypair_from_suri(json_string_value(json_object_get(c, "suri")), &kp, &err) ||
            aif_chain_signer_sr25519(&s, &sctx, kp, rng, &err) ||
            aif_chain_extrinsic_sign(md, &tx, w.buf, w.len, &s, &xt, &xn, &err)) {
            fprintf(stderr, "aif_extrinsic: %s\n", err.msg);
            return 1;
        }
        char *hex = aif_malloc(2 * xn + 1);
        aif_crypto_hex_encode(xt, xn, hex);
        printf("%s 0x%s\n", json_string_value(json_object_get(c, "name")), hex);
        aif_free(hex);
        aif_free(xt);
        free(args);
        aif_scale_writer_release(&w);
        aif_crypto_keypair_free(kp);
    }
    json_decref(cases);
    aif_scale_metadata_free(md);
    aif_free(mdhex);
    return 0;
}
