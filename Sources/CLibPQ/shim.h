#pragma once
// Debian's libpq-dev puts the header under /usr/include/postgresql; pkg-config
// (libpq.pc) supplies that include path.
#include <libpq-fe.h>
