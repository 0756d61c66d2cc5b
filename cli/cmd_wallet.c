/* cmd_wallet.c: `aif wallet ...`: create, regenerate, list and show
 * Bittensor wallets in btcli's layout and with btcli's flag names.
 *
 * Passwords: --no-password writes unencrypted files; --password-env VAR
 * reads the password from $VAR; otherwise btwallet's BT_PW_<PATH> variable
 * is tried, then a prompt on the terminal without echo. AIF_WALLET_KDF
 * ("OPS,BYTES") lowers the Argon2i cost for throwaway wallets (tests). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "aif/wallet.h"

AIF_COMMAND(wallet, "Bittensor wallets (btcli layout): create, regenerate, list, show, sign, verify")

#define PW_MAX 1024

typedef struct wopts {
    const char *path, *name, *hotkey, *mnemonic, *seed, *ss58, *public_key, *password_env;
    long long n_words;
    int no_password, use_password, overwrite;
} wopts;

#define WALLET_OPTS(o)                                                                                             \
    {"wallet.name", AIF_OPT_STR, &(o).name, "NAME", "wallet name (default $BT_WALLET_NAME or \"default\")"},      \
    {"wallet.path", AIF_OPT_STR, &(o).path, "DIR", "wallets root (default $BT_WALLET_PATH or ~/.bittensor/wallets)"}, \
    {"wallet-name", AIF_OPT_STR, &(o).name, "NAME", "same as --wallet.name (btcli 9 spelling)"},                    \
    {"wallet-path", AIF_OPT_STR, &(o).path, "DIR", "same as --wallet.path"}

#define PASSWORD_OPTS(o)                                                                                           \
    {"no-password", AIF_OPT_FLAG, &(o).no_password, NULL, "do not encrypt the key (or: it is not encrypted)"},    \
    {"password-env", AIF_OPT_STR, &(o).password_env, "VAR", "read the password from environment variable VAR"}

static aif_code kdf_from_env(aif_wallet_kdf *kdf, aif_err *err)
{
    const char *spec = getenv("AIF_WALLET_KDF");
    return aif_wallet_kdf_parse(spec, kdf, err);
}

/* Read a line from the terminal without echo. */
static aif_code prompt(const char *question, char *out, size_t cap, aif_err *err)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return aif_err_set(err, AIF_EAUTH, "a password is needed and there is no terminal to ask on: pass "
                                           "--password-env VAR");
    int fd = fileno(tty);
    struct termios old, quiet;
    int restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fprintf(tty, "%s", question);
    fflush(tty);
    aif_code rc = AIF_OK;
    if (!fgets(out, (int)cap, tty))
        rc = aif_err_set(err, AIF_ECANCELED, "no password entered");
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    fprintf(tty, "\n");
    fclose(tty);
    if (!rc) {
        size_t n = strlen(out);
        if (n && out[n - 1] == '\n')
            out[--n] = '\0';
        else if (n + 1 >= cap)
            rc = aif_err_set(err, AIF_ERANGE, "password longer than %zu bytes", cap - 2);
    }
    return rc;
}

/* The password for keyfile `path`, or NULL for none. pw is PW_MAX bytes of
 * guarded memory. creating: ask twice and accept no BT_PW_ fallback. */
static aif_code get_password(const wopts *o, const char *path, int creating, char *pw, const char **out,
                             aif_err *err)
{
    *out = NULL;
    if (o->no_password)
        return AIF_OK;
    if (o->password_env) {
        const char *v = getenv(o->password_env);
        if (!v)
            return aif_err_set(err, AIF_EAUTH, "--password-env %s: the variable is not set", o->password_env);
        if (strlen(v) >= PW_MAX)
            return aif_err_set(err, AIF_ERANGE, "--password-env %s: password longer than %d bytes", o->password_env,
                               PW_MAX - 1);
        strcpy(pw, v);
        *out = pw;
        return AIF_OK;
    }
    if (!creating) {
        int found = 0;
        aif_code rc = aif_wallet_password_from_env(path, pw, PW_MAX, &found, err);
        if (rc || found) {
            *out = found ? pw : NULL;
            return rc;
        }
    }
    char q[2200];
    snprintf(q, sizeof q, "Password for %s: ", path);
    aif_code rc = prompt(q, pw, PW_MAX, err);
    if (rc)
        return rc;
    if (creating) {
        char *again = aif_wallet_secure_alloc(PW_MAX);
        if (!again)
            return aif_err_set(err, AIF_ENOMEM, "out of memory");
        rc = prompt("Retype the password: ", again, PW_MAX, err);
        if (!rc && strcmp(again, pw) != 0)
            rc = aif_err_set(err, AIF_EAUTH, "the passwords do not match");
        aif_wallet_buf_free(again);
        if (rc)
            return rc;
    }
    *out = pw;
    return AIF_OK;
}

static void print_key(struct aif_cli *cli, aif_json *j, const char *what, const char *path,
                      const aif_crypto_keypair *kp)
{
    char ss58[AIF_SS58_MAX], hex[67] = "0x";
    aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), AIF_SS58_BITTENSOR, ss58);
    aif_crypto_hex_encode(aif_crypto_keypair_public(kp), 32, hex + 2);
    if (cli->json) {
        aif_json_key(j, what);
        aif_json_obj_begin(j);
        aif_json_kstr(j, "path", path);
        aif_json_kstr(j, "ss58Address", ss58);
        aif_json_kstr(j, "publicKey", hex);
        aif_json_obj_end(j);
    } else {
        printf("%-8s %s  %s\n", what, ss58, path);
    }
}

/* Write the key of `which` (COLDKEY or HOTKEY) and its public file. */
static aif_code write_key(const wopts *o, const aif_wallet *w, aif_wallet_file which, aif_crypto_keypair *kp,
                          int encrypt, struct aif_cli *cli, aif_json *j, aif_err *err)
{
    char path[2048], pubpath[2048];
    aif_wallet_file pub = which == AIF_WALLET_COLDKEY ? AIF_WALLET_COLDKEYPUB : AIF_WALLET_HOTKEYPUB;
    aif_code rc = aif_wallet_file_path(w, which, path, sizeof path, err);
    if (!rc)
        rc = aif_wallet_file_path(w, pub, pubpath, sizeof pubpath, err);
    if (rc)
        return rc;
    if (!o->overwrite && (aif_fs_exists(path) || aif_fs_exists(pubpath)))
        return aif_err_set(err, AIF_EEXIST, "%s already exists (pass --overwrite to replace it)",
                           aif_fs_exists(path) ? path : pubpath);
    aif_wallet_kdf kdf;
    const char *password = NULL;
    char *pw = aif_wallet_secure_alloc(PW_MAX);
    if (!pw)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    rc = kdf_from_env(&kdf, err);
    if (!rc && encrypt)
        rc = get_password(o, path, 1, pw, &password, err);
    if (!rc && password && kdf.opslimit)
        aif_log(AIF_LOG_WARN, "AIF_WALLET_KDF: %s uses non-standard Argon2i limits; btcli cannot read it", path);
    if (!rc)
        rc = aif_wallet_save(w, which, kp, password, &kdf, o->overwrite, err);
    if (!rc)
        rc = aif_wallet_save(w, pub, kp, NULL, NULL, o->overwrite, err);
    aif_wallet_buf_free(pw);
    if (!rc)
        print_key(cli, j, which == AIF_WALLET_COLDKEY ? "coldkey" : "hotkey", path, kp);
    return rc;
}

static int finish(struct aif_cli *cli, aif_json *j, aif_code rc, aif_err *err)
{
    if (cli->json) {
        if (!rc)
            aif_json_obj_end(j);
        aif_json_end(j);
    }
    return rc ? aif_cli_fail(err) : 0;
}

static void begin(struct aif_cli *cli, aif_json *j)
{
    if (cli->json) {
        aif_json_init(j, stdout, 1);
        aif_json_obj_begin(j);
    }
}

/* new-coldkey / new-hotkey / regen-coldkey / regen-hotkey */
static int make_key(int argc, char **argv, struct aif_cli *cli, int hot, int regen)
{
    wopts o = {.n_words = 12};
    aif_opt opts[] = {
        WALLET_OPTS(o),
        {"wallet.hotkey", AIF_OPT_STR, &o.hotkey, "NAME", "hotkey name (default $BT_WALLET_HOTKEY or \"default\")"},
        {"n-words", AIF_OPT_INT, &o.n_words, "N", "words in a new mnemonic: 12, 15, 18, 21 or 24"},
        {"n_words", AIF_OPT_INT, &o.n_words, "N", "same as --n-words"},
        {"mnemonic", AIF_OPT_STR, &o.mnemonic, "WORDS", "regenerate from this mnemonic (may end in //junctions)"},
        {"seed", AIF_OPT_STR, &o.seed, "0xHEX", "regenerate from this 32-byte seed (secretSeed)"},
        PASSWORD_OPTS(o),
        {"use-password", AIF_OPT_FLAG, &o.use_password, NULL, "encrypt the hotkey too (hotkeys are plaintext by default)"},
        {"overwrite", AIF_OPT_FLAG, &o.overwrite, NULL, "replace existing files"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char usage[160];
    snprintf(usage, sizeof usage, "aif wallet %s %s [--wallet.name N] [--wallet.path DIR]%s", argv[0],
             regen ? "(--mnemonic \"WORDS\" | --seed 0xHEX)" : "[--n-words 12]",
             hot ? " [--wallet.hotkey H]" : "");
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    if (regen && !!o.mnemonic == !!o.seed)
        return aif_cli_usage_error("%s needs exactly one of --mnemonic or --seed", argv[0]);
    if (!regen && (o.mnemonic || o.seed))
        return aif_cli_usage_error("%s makes a new key; use regen-%s to restore one", argv[0], hot ? "hotkey" : "coldkey");
    aif_err err = {0};
    aif_wallet w;
    aif_json j;
    aif_crypto_keypair *kp = NULL;
    aif_code rc = aif_wallet_init(&w, o.path, o.name, o.hotkey, &err);
    char *phrase = aif_wallet_secure_alloc(AIF_MNEMONIC_MAX);
    if (!phrase)
        return aif_cli_fail(&err);
    if (!rc && !regen) {
        rc = aif_crypto_mnemonic_generate((int)o.n_words, phrase, &err);
        if (!rc)
            rc = aif_crypto_keypair_from_mnemonic(phrase, NULL, &kp, &err);
    } else if (!rc && o.mnemonic) {
        rc = *o.mnemonic ? aif_crypto_keypair_from_suri(o.mnemonic, &kp, &err)
                         : aif_err_set(&err, AIF_EINVAL, "--mnemonic is empty");
    } else if (!rc) {
        uint8_t mini[32];
        size_t n = 0;
        rc = aif_crypto_hex_decode(o.seed, strlen(o.seed), mini, sizeof mini, &n, &err);
        if (!rc && n != 32)
            rc = aif_err_set(&err, AIF_EINVAL, "--seed: %zu bytes, expected 32", n);
        if (!rc)
            rc = aif_crypto_keypair_from_mini(mini, &kp, &err);
        else
            aif_err_wrap(&err, "--seed");
        aif_wallet_wipe(mini, sizeof mini);
    }
    if (!rc) {
        begin(cli, &j);
        int encrypt = hot ? o.use_password : 1;
        rc = write_key(&o, &w, hot ? AIF_WALLET_HOTKEY : AIF_WALLET_COLDKEY, kp, encrypt && !o.no_password, cli,
                       &j, &err);
        if (!rc && !regen) {
            if (cli->json) {
                aif_json_kstr(&j, "mnemonic", phrase);
            } else {
                printf("mnemonic %s\n", phrase);
                fprintf(stderr, "Write the mnemonic down and keep it safe: it is the only way to recover this key.\n");
            }
        }
        if (rc && cli->json) {
            aif_json_obj_end(&j);
        }
        aif_crypto_keypair_free(kp);
        aif_wallet_buf_free(phrase);
        return finish(cli, &j, rc, &err);
    }
    aif_crypto_keypair_free(kp);
    aif_wallet_buf_free(phrase);
    return aif_cli_fail(&err);
}

static int cmd_new_coldkey(int argc, char **argv, struct aif_cli *cli) { return make_key(argc, argv, cli, 0, 0); }
static int cmd_new_hotkey(int argc, char **argv, struct aif_cli *cli) { return make_key(argc, argv, cli, 1, 0); }
static int cmd_regen_coldkey(int argc, char **argv, struct aif_cli *cli) { return make_key(argc, argv, cli, 0, 1); }
static int cmd_regen_hotkey(int argc, char **argv, struct aif_cli *cli) { return make_key(argc, argv, cli, 1, 1); }

static int cmd_regen_coldkeypub(int argc, char **argv, struct aif_cli *cli)
{
    wopts o = {0};
    aif_opt opts[] = {
        WALLET_OPTS(o),
        {"ss58", AIF_OPT_STR, &o.ss58, "ADDRESS", "the coldkey's SS58 address"},
        {"ss58-address", AIF_OPT_STR, &o.ss58, "ADDRESS", "same as --ss58"},
        {"public-key", AIF_OPT_STR, &o.public_key, "0xHEX", "the coldkey's 32-byte public key"},
        {"public-key-hex", AIF_OPT_STR, &o.public_key, "0xHEX", "same as --public-key"},
        {"overwrite", AIF_OPT_FLAG, &o.overwrite, NULL, "replace an existing coldkeypub.txt"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif wallet regen-coldkeypub (--ss58 ADDRESS | --public-key 0xHEX) "
                                        "[--wallet.name N] [--wallet.path DIR]", opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    if (!!o.ss58 == !!o.public_key)
        return aif_cli_usage_error("regen-coldkeypub needs exactly one of --ss58 or --public-key");
    aif_err err = {0};
    aif_wallet w;
    uint8_t pk[32];
    size_t n = 0;
    aif_crypto_keypair *kp = NULL;
    aif_code rc = aif_wallet_init(&w, o.path, o.name, NULL, &err);
    if (!rc && o.ss58)
        rc = aif_crypto_ss58_decode(o.ss58, pk, NULL, &err);
    else if (!rc) {
        rc = aif_crypto_hex_decode(o.public_key, strlen(o.public_key), pk, sizeof pk, &n, &err);
        if (!rc && n != 32)
            rc = aif_err_set(&err, AIF_EINVAL, "%zu bytes, expected 32", n);
        if (rc)
            aif_err_wrap(&err, "--public-key");
    }
    if (!rc)
        rc = aif_crypto_keypair_from_public(pk, &kp, &err);
    char path[2048];
    if (!rc)
        rc = aif_wallet_file_path(&w, AIF_WALLET_COLDKEYPUB, path, sizeof path, &err);
    if (!rc)
        rc = aif_wallet_save(&w, AIF_WALLET_COLDKEYPUB, kp, NULL, NULL, o.overwrite, &err);
    if (rc == AIF_EEXIST)
        aif_err_wrap(&err, "pass --overwrite to replace it");
    aif_json j;
    if (!rc) {
        begin(cli, &j);
        print_key(cli, &j, "coldkey", path, kp);
    }
    aif_crypto_keypair_free(kp);
    return rc ? aif_cli_fail(&err) : finish(cli, &j, rc, &err);
}

/* Public key of a hotkey without asking for a password: <hotkey>pub.txt,
 * else the hotkey file itself when it is plaintext. */
static aif_code hotkey_public(const aif_wallet *w, aif_crypto_keypair **kp, aif_err *err)
{
    char path[2048];
    aif_code rc = aif_wallet_file_path(w, AIF_WALLET_HOTKEYPUB, path, sizeof path, err);
    if (!rc && aif_fs_exists(path))
        return aif_wallet_load(w, AIF_WALLET_HOTKEYPUB, NULL, NULL, kp, err);
    return aif_wallet_load(w, AIF_WALLET_HOTKEY, NULL, NULL, kp, err);
}

static void show_one(struct aif_cli *cli, aif_json *j, aif_wallet *w, char **hot, size_t n_hot)
{
    aif_err err = {0};
    aif_crypto_keypair *kp = NULL;
    char ss58[AIF_SS58_MAX], path[2048];
    if (cli->json) {
        aif_json_obj_begin(j);
        aif_json_kstr(j, "name", w->name);
    }
    aif_code rc = aif_wallet_load(w, AIF_WALLET_COLDKEYPUB, NULL, NULL, &kp, &err);
    if (!rc)
        aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), AIF_SS58_BITTENSOR, ss58);
    aif_wallet_file_path(w, AIF_WALLET_COLDKEY, path, sizeof path, NULL);
    int enc = aif_wallet_keyfile_path_is_encrypted(path);
    if (cli->json) {
        if (rc)
            aif_json_kstr(j, "error", err.msg);
        else
            aif_json_kstr(j, "coldkey", ss58);
        aif_json_kbool(j, "coldkey_file", enc >= 0);
        aif_json_kbool(j, "coldkey_encrypted", enc == 1);
        aif_json_key(j, "hotkeys");
        aif_json_arr_begin(j);
    } else {
        printf("%s  %s%s\n", w->name, rc ? "(no coldkeypub.txt)" : ss58,
               enc < 0 ? "  (no coldkey file)" : enc ? "  (coldkey encrypted)" : "  (coldkey NOT encrypted)");
        if (rc)
            aif_log(AIF_LOG_WARN, "%s", err.msg);
    }
    aif_crypto_keypair_free(kp);
    for (size_t i = 0; i < n_hot; i++) {
        snprintf(w->hotkey, sizeof w->hotkey, "%s", hot[i]);
        kp = NULL;
        rc = hotkey_public(w, &kp, &err);
        if (!rc)
            aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), AIF_SS58_BITTENSOR, ss58);
        if (cli->json) {
            aif_json_obj_begin(j);
            aif_json_kstr(j, "name", hot[i]);
            aif_json_kstr(j, rc ? "error" : "hotkey", rc ? err.msg : ss58);
            aif_json_obj_end(j);
        } else {
            printf("  %-20s %s\n", hot[i], rc ? (rc == AIF_EAUTH ? "(encrypted)" : "(unreadable)") : ss58);
        }
        aif_crypto_keypair_free(kp);
    }
    if (cli->json) {
        aif_json_arr_end(j);
        aif_json_obj_end(j);
    }
}

static int list_or_show(int argc, char **argv, struct aif_cli *cli, int all)
{
    wopts o = {0};
    aif_opt opts[] = {
        WALLET_OPTS(o),
        {"wallet.hotkey", AIF_OPT_STR, &o.hotkey, "NAME", "show only this hotkey"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, all ? "aif wallet list [--wallet.path DIR]"
                                            : "aif wallet show [--wallet.name N] [--wallet.hotkey H] [--wallet.path DIR]",
                                   opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    aif_err err = {0};
    aif_wallet w;
    aif_code rc = aif_wallet_init(&w, o.path, o.name, o.hotkey, &err);
    if (rc)
        return aif_cli_fail(&err);
    char **names = NULL;
    size_t n = 0;
    if (all) {
        rc = aif_wallet_list(w.path, 0, &names, &n, &err);
    } else {
        char dir[2048];
        snprintf(dir, sizeof dir, "%s/%s", w.path, w.name);
        if (!aif_fs_is_dir(dir))
            return aif_err_set(&err, AIF_ENOTFOUND, "no wallet \"%s\" under %s", w.name, w.path), aif_cli_fail(&err);
    }
    if (rc)
        return aif_cli_fail(&err);
    aif_json j;
    if (cli->json) {
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "path", w.path);
        aif_json_key(&j, "wallets");
        aif_json_arr_begin(&j);
    } else if (all) {
        printf("wallets in %s\n", w.path);
    }
    size_t count = all ? n : 1;
    for (size_t i = 0; i < count; i++) {
        if (all)
            snprintf(w.name, sizeof w.name, "%s", names[i]);
        char dir[2048], **hot = NULL;
        size_t n_hot = 0;
        if (!all && o.hotkey) {
            char *one[1] = {(char *)o.hotkey};
            show_one(cli, &j, &w, one, 1);
            continue;
        }
        snprintf(dir, sizeof dir, "%s/%s/hotkeys", w.path, w.name);
        rc = aif_wallet_list(dir, 1, &hot, &n_hot, &err);
        if (rc)
            break;
        show_one(cli, &j, &w, hot, n_hot);
        aif_wallet_names_free(hot, n_hot);
    }
    aif_wallet_names_free(names, n);
    if (cli->json) {
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    }
    return rc ? aif_cli_fail(&err) : 0;
}

static int cmd_list(int argc, char **argv, struct aif_cli *cli) { return list_or_show(argc, argv, cli, 1); }
static int cmd_show(int argc, char **argv, struct aif_cli *cli) { return list_or_show(argc, argv, cli, 0); }

/* Load the coldkey (or hotkey) with its secret, asking for a password when
 * the file is encrypted. */
static aif_code load_secret(const wopts *o, const aif_wallet *w, int hot, aif_crypto_keypair **kp, aif_err *err)
{
    char path[2048];
    aif_wallet_file which = hot ? AIF_WALLET_HOTKEY : AIF_WALLET_COLDKEY;
    aif_code rc = aif_wallet_file_path(w, which, path, sizeof path, err);
    if (rc)
        return rc;
    int enc = aif_wallet_keyfile_path_is_encrypted(path);
    if (enc < 0)
        return aif_wallet_load(w, which, NULL, NULL, kp, err); /* names the missing file */
    aif_wallet_kdf kdf;
    const char *password = NULL;
    char *pw = aif_wallet_secure_alloc(PW_MAX);
    if (!pw)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    rc = kdf_from_env(&kdf, err);
    if (!rc && enc == 1)
        rc = get_password(o, path, 0, pw, &password, err);
    if (!rc && enc == 1 && !password)
        rc = aif_err_set(err, AIF_EAUTH, "%s is encrypted: a password is needed", path);
    if (!rc)
        rc = aif_wallet_load(w, which, password, &kdf, kp, err);
    aif_wallet_buf_free(pw);
    return rc;
}

static aif_code message_bytes(const char *text, const char *hex, uint8_t **msg, size_t *len, aif_err *err)
{
    size_t n = text ? strlen(text) : strlen(hex) / 2 + 1;
    *msg = aif_malloc(n ? n : 1);
    if (!*msg)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    if (text) {
        memcpy(*msg, text, n);
        *len = n;
        return AIF_OK;
    }
    aif_code rc = aif_crypto_hex_decode(hex, strlen(hex), *msg, n, len, err);
    if (rc)
        aif_err_wrap(err, "--message-hex");
    return rc;
}

static int cmd_sign(int argc, char **argv, struct aif_cli *cli)
{
    wopts o = {0};
    const char *text = NULL, *hex = NULL;
    int use_hotkey = 0;
    aif_opt opts[] = {
        WALLET_OPTS(o),
        {"wallet.hotkey", AIF_OPT_STR, &o.hotkey, "NAME", "hotkey name (with --use-hotkey)"},
        {"use-hotkey", AIF_OPT_FLAG, &use_hotkey, NULL, "sign with the hotkey instead of the coldkey"},
        {"message", AIF_OPT_STR, &text, "TEXT", "the message (its UTF-8 bytes)"},
        {"message-hex", AIF_OPT_STR, &hex, "0xHEX", "the message as hex bytes"},
        {"password-env", AIF_OPT_STR, &o.password_env, "VAR", "read the password from environment variable VAR"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif wallet sign (--message TEXT | --message-hex 0xHEX) [--use-hotkey] "
                                        "[--wallet.name N] [--wallet.hotkey H] [--wallet.path DIR]",
                                   opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    if (!!text == !!hex)
        return aif_cli_usage_error("sign needs exactly one of --message or --message-hex");
    aif_err err = {0};
    aif_wallet w;
    aif_crypto_keypair *kp = NULL;
    uint8_t *msg = NULL, sig[AIF_SR25519_SIGNATURE_BYTES];
    size_t len = 0;
    aif_code rc = aif_wallet_init(&w, o.path, o.name, o.hotkey, &err);
    if (!rc)
        rc = message_bytes(text, hex, &msg, &len, &err);
    if (!rc)
        rc = load_secret(&o, &w, use_hotkey, &kp, &err);
    if (!rc)
        rc = aif_crypto_sr25519_sign(kp, msg, len, NULL, sig, &err);
    if (!rc) {
        char sh[2 * 64 + 3] = "0x", ss58[AIF_SS58_MAX];
        aif_crypto_hex_encode(sig, 64, sh + 2);
        aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), AIF_SS58_BITTENSOR, ss58);
        if (cli->json) {
            aif_json j;
            aif_json_init(&j, stdout, 1);
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "signer", ss58);
            aif_json_kstr(&j, "signature", sh);
            aif_json_obj_end(&j);
            aif_json_end(&j);
        } else {
            printf("%s\n", sh);
        }
    }
    aif_crypto_keypair_free(kp);
    aif_free(msg);
    return rc ? aif_cli_fail(&err) : 0;
}

static int cmd_verify(int argc, char **argv, struct aif_cli *cli)
{
    const char *text = NULL, *hex = NULL, *sig_hex = NULL, *ss58 = NULL, *pub_hex = NULL;
    aif_opt opts[] = {
        {"message", AIF_OPT_STR, &text, "TEXT", "the message (its UTF-8 bytes)"},
        {"message-hex", AIF_OPT_STR, &hex, "0xHEX", "the message as hex bytes"},
        {"signature", AIF_OPT_STR, &sig_hex, "0xHEX", "the 64-byte signature"},
        {"address", AIF_OPT_STR, &ss58, "SS58", "the signer's address"},
        {"ss58", AIF_OPT_STR, &ss58, "SS58", "same as --address"},
        {"public-key", AIF_OPT_STR, &pub_hex, "0xHEX", "the signer's public key"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif wallet verify (--message TEXT | --message-hex 0xHEX) --signature 0xHEX "
                                        "(--address SS58 | --public-key 0xHEX)", opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    if (!!text == !!hex || !sig_hex || !!ss58 == !!pub_hex)
        return aif_cli_usage_error("verify needs one of --message/--message-hex, --signature, and one of "
                                   "--address/--public-key");
    aif_err err = {0};
    uint8_t pk[32], sig[64], *msg = NULL;
    size_t len = 0, n = 0;
    aif_code rc = message_bytes(text, hex, &msg, &len, &err);
    if (!rc) {
        rc = aif_crypto_hex_decode(sig_hex, strlen(sig_hex), sig, sizeof sig, &n, &err);
        if (!rc && n != 64)
            rc = aif_err_set(&err, AIF_EINVAL, "%zu bytes, expected 64", n);
        if (rc)
            aif_err_wrap(&err, "--signature");
    }
    if (!rc && ss58) {
        rc = aif_crypto_ss58_decode(ss58, pk, NULL, &err);
    } else if (!rc) {
        rc = aif_crypto_hex_decode(pub_hex, strlen(pub_hex), pk, sizeof pk, &n, &err);
        if (!rc && n != 32)
            rc = aif_err_set(&err, AIF_EINVAL, "%zu bytes, expected 32", n);
        if (rc)
            aif_err_wrap(&err, "--public-key");
    }
    int valid = 0;
    if (!rc) {
        valid = aif_crypto_sr25519_verify(pk, msg, len, sig, NULL) == AIF_OK;
        if (!valid) {
            /* bittensor-wallet also accepts the polkadot-js signRaw wrapping <Bytes>m</Bytes> */
            uint8_t *wrapped = aif_malloc(len + 15);
            if (!wrapped) {
                rc = aif_err_set(&err, AIF_ENOMEM, "out of memory");
            } else {
                memcpy(wrapped, "<Bytes>", 7);
                memcpy(wrapped + 7, msg, len);
                memcpy(wrapped + 7 + len, "</Bytes>", 8);
                valid = aif_crypto_sr25519_verify(pk, wrapped, len + 15, sig, NULL) == AIF_OK;
                aif_free(wrapped);
            }
        }
    }
    aif_free(msg);
    if (rc)
        return aif_cli_fail(&err);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kbool(&j, "valid", valid);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("%s\n", valid ? "valid" : "invalid");
    }
    return valid ? 0 : 1;
}

static const aif_subcmd subs[] = {
    {"new-coldkey", cmd_new_coldkey, "create a coldkey from a new mnemonic (encrypted, + coldkeypub.txt)"},
    {"new-hotkey", cmd_new_hotkey, "create a hotkey from a new mnemonic (plaintext unless --use-password)"},
    {"regen-coldkey", cmd_regen_coldkey, "restore a coldkey from --mnemonic or --seed"},
    {"regen-coldkeypub", cmd_regen_coldkeypub, "write coldkeypub.txt from --ss58 or --public-key"},
    {"regen-hotkey", cmd_regen_hotkey, "restore a hotkey from --mnemonic or --seed"},
    {"list", cmd_list, "list wallets and hotkeys with their SS58 addresses"},
    {"show", cmd_show, "show one wallet's coldkey and hotkey addresses"},
    {"sign", cmd_sign, "sign a message with the coldkey (or --use-hotkey)"},
    {"verify", cmd_verify, "verify an sr25519 signature (exit 0 valid, 1 invalid)"},
    {NULL, NULL, NULL},
};

int aif_cmd_wallet(int argc, char **argv, struct aif_cli *cli)
{
    return aif_cli_dispatch("wallet", subs, argc, argv, cli);
}
