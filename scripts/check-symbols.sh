#!/bin/sh
# check-symbols.sh LIB: every symbol that libaif exports starts with aif_
# (sanitizer and compiler-generated names excepted).
lib=$1
bad=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TDBRCGSV]/ {print $3}' |
      grep -v '^aif_' | grep -v -E '^(__asan|__ubsan|__sanitizer|__odr_asan|_GLOBAL_|__x86\.)' | sort -u)
if [ -n "$bad" ]; then
  echo "symbols exported by $lib without the aif_ prefix:"
  echo "$bad"
  exit 1
fi
echo "symbols: every export of $lib starts with aif_"
