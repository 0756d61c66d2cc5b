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

#endif
