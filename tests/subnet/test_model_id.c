/* test_model_id.c: the commitment string (spec 3.1, 3.2). Expected values
 * follow the reference's from_compressed_str / to_compressed_str as the
 * spec describes them (tokens = s.split(":"), "None" is null, int(t[4])). */
#include "harness.h"

#include "aif/subnet.h"

#define COMMIT "0123456789abcdef0123456789abcdef01234567"
#define SECURE "4DKVk94LvZD0C4NyFVsuZeKdBILjecxts3JhmcmS+0M="

static aif_code parse(const char *s, aif_subnet_model_id *id, aif_err *err)
{
    return aif_subnet_model_id_parse(s, strlen(s), id, err);
}

static void parse_five_fields(void)
{
    aif_err err = {0};
    aif_subnet_model_id id;
    CHECK_OK(parse("alice:giant-3b:" COMMIT ":" SECURE ":1", &id, &err), err);
    CHECK_STR(id.ns, "alice");
    CHECK_STR(id.name, "giant-3b");
    CHECK(id.has_commit);
    CHECK_STR(id.commit, COMMIT);
    CHECK(id.has_secure_hash);
    CHECK_STR(id.secure_hash, SECURE);
    CHECK(!id.has_hash); /* never on chain in the 5-field form */
    CHECK_EQ(id.competition_id, 1);
    CHECK_OK(aif_subnet_model_id_check(&id, &err), err);
    /* Tokens beyond the fifth are ignored. */
    CHECK_OK(parse("a:b:c:d:7:x:y", &id, &err), err);
    CHECK_EQ(id.competition_id, 7);
    /* "None" fields are null. */
    CHECK_OK(parse("a:b:None:None:0", &id, &err), err);
    CHECK(!id.has_commit && !id.has_secure_hash && id.commit[0] == 0);
    /* Empty fields are empty strings, not null. */
    CHECK_OK(parse("::::3", &id, &err), err);
    CHECK(id.has_commit && id.commit[0] == 0 && id.ns[0] == 0);
    CHECK_EQ(id.competition_id, 3);
}

static void parse_python_int(void)
{
    /* Python int(): int(" 12 ") == 12, int("+1") == 1, int("-1") == -1,
     * int("1_0") == 10, int("007") == 7; int("1__0"), int("_1"), int("1_"),
     * int(""), int("1.0"), int("0x1") raise ValueError. */
    static const struct { const char *t; int ok, v; } cases[] = {
        {" 12 ", 1, 12}, {"+1", 1, 1}, {"-1", 1, -1}, {"1_0", 1, 10}, {"007", 1, 7}, {"\t5\n", 1, 5},
        {"1__0", 0, 0},  {"_1", 0, 0}, {"1_", 0, 0},  {"", 0, 0},     {"1.0", 0, 0}, {"0x1", 0, 0},
        {"+", 0, 0},     {"1 2", 0, 0}, {"--1", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[64];
        aif_err err = {0};
        aif_subnet_model_id id;
        snprintf(s, sizeof s, "a:b:c:d:%s", cases[i].t);
        aif_code rc = parse(s, &id, &err);
        if (cases[i].ok) {
            CHECK_OK(rc, err);
            CHECK_EQ(id.competition_id, cases[i].v);
        } else {
            CHECK_ERR(rc, AIF_EFORMAT, err, "not an integer");
        }
    }
    aif_err err = {0};
    aif_subnet_model_id id;
    CHECK_ERR(parse("a:b:c:d:99999999999", &id, &err), AIF_ERANGE, err, "out of range");
}

static void parse_legacy_and_absent(void)
{
    aif_err err = {0};
    aif_subnet_model_id id;
    /* 4 tokens: competition 0, hash = secure_hash = t[3]. */
    CHECK_OK(parse("ns:name:" COMMIT ":somehash", &id, &err), err);
    CHECK_EQ(id.competition_id, 0);
    CHECK(id.has_hash && id.has_secure_hash);
    CHECK_STR(id.hash, "somehash");
    CHECK_STR(id.secure_hash, "somehash");
    CHECK_OK(parse("ns:name:None:None", &id, &err), err);
    CHECK(!id.has_hash && !id.has_secure_hash && !id.has_commit);
    /* Fewer than 4 tokens: the record is absent. The workshop commitment
     * "youtube id:<id>" (spec 3.3) is one such string. */
    CHECK_ERR(parse("youtube id:dQw4w9WgXcQ", &id, &err), AIF_EFORMAT, err, "2 ':'-separated fields");
    CHECK_ERR(parse("a:b:c", &id, &err), AIF_EFORMAT, err, "3 ':'-separated");
    CHECK_ERR(parse("", &id, &err), AIF_EFORMAT, err, "1 ':'-separated");
    CHECK_ERR(parse("a:b:c:d:x", &id, &err), AIF_EFORMAT, err, "model id: competition id 'x'");
    /* Length limit: 128 bytes fits, 129 does not; a NUL is rejected. */
    char s[200];
    memset(s, 'x', sizeof s);
    memcpy(s, "a:b:c:d:1", 9);
    memcpy(s + 9, ":", 1); /* the 6th token is ignored, so any filler works */
    CHECK_OK(aif_subnet_model_id_parse(s, 128, &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_parse(s, 129, &id, &err), AIF_ERANGE, err, "129 bytes");
    CHECK_ERR(aif_subnet_model_id_parse("a:b\0:c:d:1", 10, &id, &err), AIF_EFORMAT, err, "NUL byte at offset 3");
}

static void format_and_round_trip(void)
{
    aif_err err = {0};
    aif_subnet_model_id id, back;
    char buf[200];
    const char *s = "alice:giant-3b:" COMMIT ":" SECURE ":1";
    CHECK_OK(parse(s, &id, &err), err);
    CHECK_OK(aif_subnet_model_id_format(&id, buf, sizeof buf, &err), err);
    CHECK_STR(buf, s);
    CHECK_OK(parse(buf, &back, &err), err);
    CHECK(aif_subnet_model_id_equal(&id, &back));
    /* Null fields are written as None (to_compressed_str's f-string). */
    memset(&id, 0, sizeof id);
    strcpy(id.ns, "a");
    strcpy(id.name, "b");
    id.competition_id = 12;
    CHECK_OK(aif_subnet_model_id_format(&id, buf, sizeof buf, &err), err);
    CHECK_STR(buf, "a:b:None:None:12");
    /* A ':' inside a field would not parse back. */
    strcpy(id.name, "b:c");
    CHECK_ERR(aif_subnet_model_id_format(&id, buf, sizeof buf, &err), AIF_EFORMAT, err, "name 'b:c' contains ':'");
    /* Repo id "ns/name" of 38 characters (the limit, spec 3.1): the string is
     * 16 + 1 + 21 + 1 + 40 + 1 + 44 + 1 + 2 = 127 bytes (the ':' after ns
     * stands for the '/', so the reference's 128 - 40 - 44 - 2 - 4 = 38 leaves
     * one byte spare). */
    CHECK_OK(parse("alice:giant-3b:" COMMIT ":" SECURE ":1", &id, &err), err);
    strcpy(id.ns, "nnnnnnnnnnnnnnnn");          /* 16 */
    strcpy(id.name, "mmmmmmmmmmmmmmmmmmmmm");   /* 21 */
    id.competition_id = 12;
    CHECK_OK(aif_subnet_model_id_format(&id, buf, sizeof buf, &err), err);
    CHECK_EQ(strlen(buf), 127);
    CHECK_OK(aif_subnet_model_id_check(&id, &err), err);
    CHECK_ERR(aif_subnet_model_id_format(&id, buf, 127, &err), AIF_ERANGE, err, "buffer of 127");
    strcat(id.name, "m"); /* repo id 39: 128 bytes still format, the miner check refuses */
    CHECK_OK(aif_subnet_model_id_format(&id, buf, sizeof buf, &err), err);
    CHECK_EQ(strlen(buf), 128);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_ERANGE, err, "39 characters");
    strcat(id.name, "m"); /* 129 bytes */
    CHECK_ERR(aif_subnet_model_id_format(&id, buf, sizeof buf, &err), AIF_ERANGE, err, "129 bytes");
}

static void miner_checks(void)
{
    aif_err err = {0};
    aif_subnet_model_id id;
    /* Repo id length must be in (3, 38]: "a/bc" (4) passes, "a/b" (3) fails. */
    CHECK_OK(parse("a:bc:" COMMIT ":" SECURE ":1", &id, &err), err);
    CHECK_OK(aif_subnet_model_id_check(&id, &err), err);
    CHECK_OK(parse("a:b:" COMMIT ":" SECURE ":1", &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_ERANGE, err, "3 characters");
    CHECK_OK(parse("a/x:bc:" COMMIT ":" SECURE ":1", &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_EFORMAT, err, "namespace/name");
    CHECK_OK(parse("ab:cd:main:" SECURE ":1", &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_EFORMAT, err, "40-character commit");
    CHECK_OK(parse("ab:cd:g123456789abcdef0123456789abcdef01234567:" SECURE ":1", &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_EFORMAT, err, "character 0 is not hex");
    CHECK_OK(parse("ab:cd:" COMMIT ":short:1", &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_EFORMAT, err, "44 base64");
    CHECK_OK(parse("ab:cd:" COMMIT ":" SECURE ":100", &id, &err), err);
    CHECK_ERR(aif_subnet_model_id_check(&id, &err), AIF_ERANGE, err, "competition id 100");
}

AIF_TESTS(subnet_model_id) = {
    {"subnet/model_id_parse_five_fields", parse_five_fields},
    {"subnet/model_id_parse_python_int", parse_python_int},
    {"subnet/model_id_parse_legacy_and_absent", parse_legacy_and_absent},
    {"subnet/model_id_format_round_trip", format_and_round_trip},
    {"subnet/model_id_miner_checks", miner_checks},
    {NULL, NULL},
};
