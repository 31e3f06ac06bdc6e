#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "test_support.h"
#include "id_list.h"

static void
test_id_list_remembers_and_forgets_the_oldest(void **state)
{
	struct id_list l = { 0 };
	char id[16];
	id_list_add(&l, NULL);
	assert_int_equal(l.count, 0);
	for (int i = 0; i < ID_LIST_MAX + 3; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		id_list_add(&l, id);
		id_list_add(&l, id); /* no duplicates */
	}
	assert_int_equal(l.count, ID_LIST_MAX);
	assert_false(id_list_has(&l, "id-0")); /* the three oldest were forgotten */
	assert_false(id_list_has(&l, "id-2"));
	assert_true(id_list_has(&l, "id-3"));
	assert_true(id_list_has(&l, "id-34"));
	id_list_clear(&l);
	assert_int_equal(l.count, 0);
}

static void
test_id_list_survives_a_restart_in_a_file(void **state)
{
	char path[] = "/tmp/roomsign-ids-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct id_list a = { 0 }, b = { 0 };
	id_list_add(&a, "AAMkAD=");
	id_list_add(&a, "/cal/roomsign-1.ics");
	assert_true(id_list_save(&a, path));
	id_list_load(&b, path);
	assert_int_equal(b.count, 2);
	assert_true(id_list_has(&b, "AAMkAD=") && id_list_has(&b, "/cal/roomsign-1.ics"));
	id_list_load(&b, "/nonexistent/checked-in"); /* missing: nothing added */
	assert_int_equal(b.count, 2);
	assert_false(id_list_save(&a, "/nonexistent/dir/checked-in"));
	id_list_clear(&a);
	id_list_clear(&b);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_list_remembers_and_forgets_the_oldest),
		cmocka_unit_test(test_id_list_survives_a_restart_in_a_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
