/* id_list.h — a small ring of event ids the sign remembers (checked in, released), with an
 * optional file in the state directory so a restart keeps them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define ID_LIST_MAX 32

struct id_list {
	char *ids[ID_LIST_MAX];
	size_t count, next; /* when full, next is the oldest slot to reuse */
};

bool id_list_has(const struct id_list *list, const char *id);
/* Adds a copy of id (NULL ignored); when full, the oldest id is forgotten. */
void id_list_add(struct id_list *list, const char *id);
void id_list_clear(struct id_list *list); /* frees; leaves an empty list */
/* Adds the ids in path, one a line; a missing file is an empty list. */
void id_list_load(struct id_list *list, const char *path);
/* Writes the ids to path atomically. false on failure (errno set). */
bool id_list_save(const struct id_list *list, const char *path);
