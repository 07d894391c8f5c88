#pragma once
#include <sqlite3.h>

// Swift cannot pass SQLITE_TRANSIENT (a function pointer cast from -1).
static inline void (*CSQLite_transient(void))(void *) { return SQLITE_TRANSIENT; }
