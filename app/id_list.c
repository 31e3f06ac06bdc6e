#include "id_list.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/xalloc.h"
#include "core/atomic_file.h"

bool
id_list_has(const struct id_list *l, const char *id)
{
	for (size_t i = 0; id && i < l->count; i++)
		if (strcmp(l->ids[i], id) == 0)
			return true;
	return false;
}

void
id_list_add(struct id_list *l, const char *id)
{
	if (!id || id_list_has(l, id))
		return;
	if (l->count < ID_LIST_MAX) {
		l->ids[l->count++] = xstrdup(id);
		return;
	}
	size_t slot = l->next++ % ID_LIST_MAX;
	free(l->ids[slot]);
	l->ids[slot] = xstrdup(id);
}

void
id_list_clear(struct id_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->ids[i]);
	memset(l, 0, sizeof(*l));
}

void
id_list_load(struct id_list *l, const char *path)
{
	char line[512];
	FILE *fp = path ? fopen(path, "r") : NULL;
	while (fp && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			id_list_add(l, line);
	}
	if (fp)
		fclose(fp);
}

bool
id_list_save(const struct id_list *l, const char *path)
{
	struct atomic_file f;
	if (!atomic_file_open(&f, path, 0644))
		return false;
	for (size_t i = 0; i < l->count; i++)
		fprintf(f.fp, "%s\n", l->ids[i]);
	return atomic_file_commit(&f, true);
}
