/* aif.h: umbrella header of libaif, the AI Factory subnet toolkit. */
#ifndef AIF_AIF_H
#define AIF_AIF_H

#define AIF_VERSION "0.1.0"

#include "aif/err.h"
#include "aif/alloc.h"
#include "aif/log.h"
#include "aif/pool.h"
#include "aif/fs.h"
#include "aif/progress.h"
#include "aif/json.h"
#include "aif/tensor.h"
#include "aif/safetensors.h"
#include "aif/model.h"
#include "aif/tokenizer.h"
#include "aif/http.h"
#include "aif/data.h"
#include "aif/crypto.h"
#include "aif/wallet.h"
#include "aif/scale.h"
#include "aif/subnet.h"
#include "aif/eval.h"
#include "aif/chain.h"
#include "aif/hub.h"
#include "aif/local.h"
#include "aif/miner.h"
#include "aif/validator.h"

#endif
