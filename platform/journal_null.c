/* journal_null.c — built without libsystemd: the log stays on stderr. */
#include "journal.h"

bool
journal_log_install(void)
{
	return false;
}
