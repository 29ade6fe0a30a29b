#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call. Turns off SQLite's memory statistics:
// with them on, every allocation SQLite makes takes a process-wide mutex to update counters
// nobody here reads. Must run before SQLite initialises (before the first open); afterwards it
// returns SQLITE_MISUSE and changes nothing, which is harmless.
static inline int trust_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
