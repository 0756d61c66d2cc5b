/* data_int.h: what the files of src/data share. */
#ifndef AIF_DATA_INT_H
#define AIF_DATA_INT_H

#include <jansson.h>

#include "aif/data.h"

/* Build a page from an already parsed /rows document. */
aif_code aif_data_page_from_json_(json_t *root, const char *dataset, int64_t offset, aif_data_page *out,
                                  aif_err *err);
/* Parse with the flags and limits the module uses everywhere. */
json_t *aif_data_json_loads_(const char *text, size_t len, json_error_t *jerr);
/* Integer member or dflt. */
int64_t aif_data_json_int_(json_t *obj, const char *key, int64_t dflt);

#endif
