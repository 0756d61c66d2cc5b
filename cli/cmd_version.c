/* cmd_version.c: `aif version`: the version and what this build has. */
#include "cli.h"

AIF_COMMAND(version, "print the version, build options and CPU features in use")

int aif_cmd_version(int argc, char **argv, struct aif_cli *cli)
{
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, "aif version", NULL, argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "version", AIF_VERSION);
        aif_json_kint(&j, "cpus", aif_cpu_count());
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("aif %s\ncpus %d\n", AIF_VERSION, aif_cpu_count());
    }
    return 0;
}
