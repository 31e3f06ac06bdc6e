#define LOG_MODULE "wake"
#include "wake.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "core/log.h"

#define MAX_INPUTS 16

static struct {
	int event_fd;
	int inputs[MAX_INPUTS];
	size_t input_count;
	bool native; /* the driver waits by itself */
	unsigned long wakeups;
} w = { .event_fd = -1 };

/* Our own read-only handles on the input devices, only to learn when SDL has something to read.
 * Each evdev reader gets its own copy of the events, so draining ours takes nothing from SDL. */
static void
open_inputs(void)
{
	DIR *dir = opendir("/dev/input");
	struct dirent *d;
	while (dir && (d = readdir(dir)) && w.input_count < MAX_INPUTS) {
		if (strncmp(d->d_name, "event", 5) != 0)
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/dev/input/%s", d->d_name);
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			w.inputs[w.input_count++] = fd;
	}
	if (dir)
		closedir(dir);
}

bool
wake_init(void)
{
	const char *driver = SDL_GetCurrentVideoDriver();
	w.native = driver && (strcmp(driver, "x11") == 0 || strcmp(driver, "wayland") == 0);
	w.event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w.event_fd < 0) {
		log_warn("no eventfd (%s): the loop uses SDL's wait", strerror(errno));
		w.native = true;
		return false;
	}
	if (!w.native) {
		open_inputs();
		log_info("video driver %s: sleeping in poll() on %zu input device(s)", driver ? driver : "?",
			w.input_count);
	}
	return true;
}

void
wake_finish(void)
{
	for (size_t i = 0; i < w.input_count; i++)
		close(w.inputs[i]);
	w.input_count = 0;
	if (w.event_fd >= 0)
		close(w.event_fd);
	w.event_fd = -1;
}

void
wake_notify(void)
{
	uint64_t one = 1;
	if (w.event_fd >= 0 && write(w.event_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, the loop is awake anyway */
	}
}

static void
drain(int fd)
{
	char buf[1024];
	while (read(fd, buf, sizeof(buf)) > 0) {
	}
}

bool
wake_wait_event(SDL_Event *ev, int timeout_ms, int extra_fd)
{
	if (w.native || w.event_fd < 0) {
		w.wakeups++;
		return SDL_WaitEventTimeout(ev, timeout_ms) == 1;
	}
	if (SDL_PollEvent(ev))
		return true;
	struct pollfd fds[MAX_INPUTS + 2];
	nfds_t n = 0;
	fds[n++] = (struct pollfd){ .fd = w.event_fd, .events = POLLIN };
	for (size_t i = 0; i < w.input_count; i++)
		fds[n++] = (struct pollfd){ .fd = w.inputs[i], .events = POLLIN };
	if (extra_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
	int rc = poll(fds, n, timeout_ms < 0 ? -1 : timeout_ms);
	w.wakeups++;
	if (rc > 0) {
		for (nfds_t i = 0; i < n; i++) {
			if (fds[i].fd == extra_fd)
				continue; /* the PIR's events are read by the LED code */
			if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				fds[i].fd = -1;
				continue;
			}
			if (fds[i].revents & POLLIN)
				drain(fds[i].fd);
		}
	}
	return SDL_PollEvent(ev) == 1;
}

unsigned long
wake_count(void)
{
	return w.wakeups;
}

bool
wake_is_native(void)
{
	return w.native || w.event_fd < 0;
}
