#include "json.h"
#include <string.h>
#include "../core/atomic_file.h"

bool
json_save(cJSON *root, const char *path)
{
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return false;
	bool ok = atomic_write(path, text, strlen(text), 0644, false);
	cJSON_free(text);
	return ok;
}
