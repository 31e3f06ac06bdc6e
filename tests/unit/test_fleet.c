/* fleet: the device's identity and config_url's placeholders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "test_support.h"
#include "fleet.h"

static char dir[] = "/tmp/roomsign-fleet-XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
mkdirs(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int
setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	char path[600];
	snprintf(path, sizeof(path), "%s/net", dir);
	setenv("ROOMSIGN_NET_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/serial-number", dir);
	setenv("ROOMSIGN_SERIAL_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/cpuinfo", dir);
	setenv("ROOMSIGN_CPUINFO", path, 1);
	return 0;
}

static void
test_fleet_expands_and_encodes_placeholders(void **state)
{
	struct fleet_ids ids = { "fjord-4-12", "b8:27:eb:12:34:56", "10000000c0ffee42" };
	char *url = fleet_expand_url("https://s/{hostname}/{mac}/{serial}.conf?x={unknown}", &ids, NULL, 0);
	assert_string_equal(url, "https://s/fjord-4-12/b8:27:eb:12:34:56/10000000c0ffee42.conf?x={unknown}");
	free(url);
	snprintf(ids.hostname, sizeof(ids.hostname), "a b/c");
	url = fleet_expand_url("https://s/{hostname}.conf", &ids, NULL, 0);
	assert_string_equal(url, "https://s/a%20b%2Fc.conf"); /* a value cannot step out of its path segment */
	free(url);
}

static void
test_fleet_placeholder_without_a_value_stops(void **state)
{
	struct fleet_ids ids = { "fjord", "", "" };
	char why[256] = "";
	assert_null(fleet_expand_url("https://s/{serial}.conf", &ids, why, sizeof(why)));
	assert_non_null(strstr(why, "{serial}"));
	char *url = fleet_expand_url("https://s/{hostname}.conf", &ids, why, sizeof(why));
	assert_string_equal(url, "https://s/fjord.conf");
	free(url);
}

static void
test_fleet_reads_the_pi_identity(void **state)
{
	mkdirs("net");
	mkdirs("net/docker0");
	put("net/docker0/address", "02:42:ac:11:00:01\n");
	mkdirs("net/wlan0");
	mkdirs("net/wlan0/device");
	put("net/wlan0/address", "b8:27:eb:ab:cd:ef\n");
	mkdirs("net/eth0");
	mkdirs("net/eth0/device");
	put("net/eth0/address", "b8:27:eb:12:34:56\n");
	put("cpuinfo", "processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 10000000c0ffee42\nModel\t\t: Raspberry Pi\n");
	struct fleet_ids ids;
	fleet_ids_read(&ids);
	assert_string_equal(ids.mac, "b8:27:eb:12:34:56");   /* physical first, then by name */
	assert_string_equal(ids.serial, "10000000c0ffee42"); /* no device tree: /proc/cpuinfo */
	put("serial-number", "00000000feedbeef");            /* the device tree's has a NUL, no newline */
	fleet_ids_read(&ids);
	assert_string_equal(ids.serial, "00000000feedbeef");
	assert_true(ids.hostname[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fleet_expands_and_encodes_placeholders),
		cmocka_unit_test(test_fleet_placeholder_without_a_value_stops),
		cmocka_unit_test(test_fleet_reads_the_pi_identity),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
