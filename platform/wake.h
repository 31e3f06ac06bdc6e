/* wake.h — the main loop's sleep. SDL_WaitEventTimeout really sleeps only on drivers that can
 * wait (X11, Wayland); on KMSDRM, the Pi's console driver, SDL 2 polls every millisecond. There
 * the loop sleeps in poll(2) instead: on the touch devices (/dev/input/event*), on an eventfd
 * that other threads poke when they queue an SDL event, and on an extra fd (the PIR sensor). */
#pragma once
#include <stdbool.h>
#include <SDL.h>

/* Call once SDL video is up. false when no eventfd could be made (then SDL's own wait is used). */
bool wake_init(void);
void wake_finish(void);
/* Wakes the main loop; safe from any thread and from a signal handler. */
void wake_notify(void);
/* Like SDL_WaitEventTimeout, without busy polling. extra_fd < 0: none. */
bool wake_wait_event(SDL_Event *ev, int timeout_ms, int extra_fd);
/* Wake-ups so far (for tests and benchmarks). */
unsigned long wake_count(void);
/* True when SDL waits by itself (then fds such as the PIR's are not watched). */
bool wake_is_native(void);
