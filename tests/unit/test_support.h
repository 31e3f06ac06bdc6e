/* test_support.h — small helpers shared by the unit tests. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/event.h"

/* Parses "2026-12-01T10:15:00Z" (UTC) into rs_time; fails the test on a bad string. */
rs_time t_utc(const char *iso);
/* Path of a fixture file under tests/fixtures. Static buffer. */
const char *t_fixture(const char *name);
/* A heap event for building schedules in tests. */
struct event t_event(const char *start, const char *end, const char *subject);
/* Finishes count events and frees the array (parsers' output). Accepts NULL. */
void t_events_free(struct event *events, size_t count);
/* The first event starting at the UTC instant `start`, or NULL. */
const struct event *t_event_starting(const struct event *events, size_t count, const char *start);
