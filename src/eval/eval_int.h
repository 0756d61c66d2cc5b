/* eval_int.h: what the files of src/eval share. */
#ifndef AIF_EVAL_INT_H
#define AIF_EVAL_INT_H

#include "aif/eval.h"

/* EOS ids to suppress for a model directory: config.json's eos_token_id(s)
 * and generation_config.json's (if present), deduplicated; at most cap. */
size_t aif_eval_eos_ids(const char *dir, const aif_model_config *cfg, int64_t *out, size_t cap);

#endif
